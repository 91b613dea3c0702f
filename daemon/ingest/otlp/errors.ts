// A request the receiver cannot read at all: the route answers 400 and the client must not retry.

export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}
