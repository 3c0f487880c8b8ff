/** RFC 9457 problem details; the only error shape the API answers with. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

const titles: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly errors?: readonly FieldError[],
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  get title(): string {
    return titles[this.status] ?? 'Error';
  }

  toJSON() {
    return {
      type: `https://crm.dev/problems/${this.status}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

export const badRequest = (detail: string, errors?: readonly FieldError[]) =>
  new HttpProblem(400, detail, errors);
export const invalidFields = (errors: readonly FieldError[]) => {
  const fields = new Set(errors.map((error) => error.path)).size;
  return new HttpProblem(400, `${fields} invalid field${fields === 1 ? '' : 's'}`, errors);
};
export const unauthorized = (detail = 'A valid bearer token is required') => new HttpProblem(401, detail);
export const forbidden = (detail = 'Your role does not allow this') => new HttpProblem(403, detail);
export const notFound = (what = 'Resource') => new HttpProblem(404, `${what} not found`);
export const conflict = (detail: string, errors?: readonly FieldError[]) =>
  new HttpProblem(409, detail, errors);
export const preconditionFailed = () =>
  new HttpProblem(412, 'The record has changed since you read it; read it again and retry');
