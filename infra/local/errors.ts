/**
 * A startup problem the developer can fix (busy port, missing Java). `npm start`
 * prints only its message, without a stack trace, and exits with code 1.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

export class PortInUseError extends StartupError {
  constructor(
    readonly port: number,
    readonly envVar: string,
    what = 'Port',
  ) {
    super(`${what} ${port} is in use; set ${envVar}=... to use another port`);
  }
}
