/**
 * Why the API does not serve yet, or no longer: set while it starts (migrating, connecting) and once
 * it shuts down; null while it serves. /readyz answers 503 with it.
 */
export class ApiLifecycle {
  private why: string | null = null;

  get notServing(): string | null {
    return this.why;
  }

  /** What the start is doing now. */
  starting(step: string): void {
    this.why = `starting: ${step}`;
  }

  serving(): void {
    this.why = null;
  }

  stopping(): void {
    this.why = "shutting down";
  }
}
