// An error that knows its HTTP status and OpenAI-shaped type; the server turns it into the error body.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}
