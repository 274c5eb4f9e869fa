// An import failure that names the file and line, so a bad file is easy to fix.

export class ImportError extends Error {
  readonly file: string;
  readonly line: number;

  constructor(file: string, line: number, reason: string) {
    super(`${file}:${line}: ${reason}`);
    this.name = "ImportError";
    this.file = file;
    this.line = line;
  }
}
