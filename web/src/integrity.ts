// How the web vault says "the server sent something unsafe" (malicious-server doc §2.2), mirroring Coffer.Client's
// ServerIntegrityException: a stable check code (the scenario ids of the doc's §0: kdf-downgrade, kdf-floor,
// userkey-type0, …), one plain sentence, and the response class. The screens show it in the blocking dialog of
// screens/unsafe.ts.

/**
 * refuse: a pinned value became weaker or different with nothing local to explain it (hard stop: the session is
 * locked, nothing derived from the answer is sent). quarantine: something new or changed the vault cannot verify
 * (kept unused until the user answers). warn: a harmless-looking regression (shown; work goes on).
 */
export type IntegrityKind = 'refuse' | 'quarantine' | 'warn';

export interface IntegrityIssue {
  /** The check that failed, e.g. `kdf-downgrade`; stable, so tests and users can match it. */
  code: string;
  /** One plain sentence: what the server tried, and what the user should do. */
  message: string;
  kind: IntegrityKind;
  /** What was pinned and what the server sent instead, for the dialog's "old → new" line. */
  before?: string;
  after?: string;
  /** The item a quarantine or an item-level refusal is about. */
  cipherId?: string;
}

/** Thrown where the vault refuses to go on (the web counterpart of ServerIntegrityException). */
export class ServerIntegrityError extends Error implements IntegrityIssue {
  readonly kind: IntegrityKind;
  readonly before?: string;
  readonly after?: string;
  readonly cipherId?: string;

  constructor(
    readonly code: string,
    message: string,
    details: { kind?: IntegrityKind; before?: string; after?: string; cipherId?: string } = {},
  ) {
    super(message);
    this.name = 'ServerIntegrityError';
    this.kind = details.kind ?? 'refuse';
    if (details.before !== undefined) this.before = details.before;
    if (details.after !== undefined) this.after = details.after;
    if (details.cipherId !== undefined) this.cipherId = details.cipherId;
  }

  /** The issue as plain data (what the dialog shows). */
  issue(): IntegrityIssue {
    return { code: this.code, message: this.message, kind: this.kind, before: this.before, after: this.after, cipherId: this.cipherId };
  }
}

export function isIntegrityError(err: unknown): err is ServerIntegrityError {
  return err instanceof ServerIntegrityError;
}
