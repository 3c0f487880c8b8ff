/**
 * The API answers every failure with RFC 9457 problem+json: `{status, title, detail, errors?:
 * [{path, message}]}`. Forms show `errors` next to their inputs (by `path`) and the detail above.
 */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: readonly FieldError[] = [],
  ) {
    super(detail || title);
    this.name = 'ApiProblem';
  }

  /** The first message for a field path (`email`, `customFields.size`, `mapping.Name`), if any. */
  fieldError(path: string): string | undefined {
    return this.errors.find((error) => error.path === path)?.message;
  }

  /** Messages whose paths no input on the form shows, so none is lost. */
  otherErrors(shownPaths: readonly string[]): readonly FieldError[] {
    return this.errors.filter((error) => !shownPaths.includes(error.path));
  }
}

/** Reads a failed response (problem+json, the gateway's {message}, or nothing) into an ApiProblem. */
export async function problemFrom(response: Response, body?: unknown): Promise<ApiProblem> {
  let data = body;
  if (data === undefined) {
    try {
      data = await response.clone().json();
    } catch {
      data = undefined;
    }
  }
  const record = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const errors = Array.isArray(record.errors)
    ? record.errors.filter(
        (error): error is FieldError =>
          !!error && typeof error.path === 'string' && typeof error.message === 'string',
      )
    : [];
  const title = typeof record.title === 'string' ? record.title : response.statusText || 'Error';
  const detail =
    typeof record.detail === 'string'
      ? record.detail
      : typeof record.message === 'string'
        ? record.message
        : title;
  return new ApiProblem(response.status, title, detail, errors);
}
