// The one error shape every Flowtune HTTP endpoint answers with: OpenAI's `{ error: { message, type, code } }`.

export interface ErrorBody {
  error: { message: string; type: string; code: string | null };
}

export function errorBody(message: string, type: string, code: string | null = null): ErrorBody {
  return { error: { message, type, code } };
}
