// "Your server sent something unsafe" (malicious-server doc §2.2): the one place the web vault tells the user that a
// check on the server's answers failed. Refusals and quarantines are a modal <dialog> (one at a time, in order);
// warnings are a dismissible notice at the top of the page and do not stop the user. Every one carries
// data-check="CODE" and data-kind="refuse|quarantine|warn", so tests (and support) can tell which check fired.
import { h } from '../dom';
import { isIntegrityError, type IntegrityIssue, type ServerIntegrityError } from '../integrity';
import { go } from '../router';
import { vault } from '../vault';

export const UNSAFE_TITLE = 'Your server sent something unsafe';

/** What the user answered: refuse → "Log out"; quarantine → "Keep hidden" or "I did this"; warn → "OK". */
export type UnsafeAnswer = 'log-out' | 'keep-hidden' | 'accept' | 'ok';

let queue: Promise<unknown> = Promise.resolve();

/** The "old → new" line, when the check knows both. */
function change(issue: IntegrityIssue): HTMLElement | null {
  if (issue.before === undefined && issue.after === undefined) return null;
  return h('p', { className: 'unsafe-change' }, `${issue.before ?? '(nothing)'} → ${issue.after ?? '(nothing)'}`);
}

/**
 * Shows a refusal or a quarantine question as a blocking dialog (after any already open) and resolves with the answer.
 * Escape does not dismiss it: a refusal ends in "Log out", a quarantine in one of its two answers. A warning is shown
 * as a notice instead and resolves with 'ok' at once.
 */
export function showUnsafe(issue: IntegrityIssue): Promise<UnsafeAnswer> {
  if (issue.kind === 'warn') {
    showWarning(issue);
    return Promise.resolve('ok');
  }
  const next = queue.then(() => openDialog(issue));
  queue = next.catch(() => {});
  return next;
}

function openDialog(issue: IntegrityIssue): Promise<UnsafeAnswer> {
  return new Promise((resolve) => {
    const titleId = `unsafe-title-${issue.code}`;
    const finish = (answer: UnsafeAnswer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const logOut = h('button', { type: 'button', className: 'danger', 'data-answer': 'log-out', onclick: () => finish('log-out') }, 'Log out');
    const keepHidden = h('button', { type: 'button', 'data-answer': 'keep-hidden', onclick: () => finish('keep-hidden') }, 'Keep hidden');
    // A quarantine may be accepted; a refusal about one item (its type changed, its key was dropped) may only stay
    // hidden or end the session; a refusal of the whole answer only ends the session.
    const buttons = issue.kind === 'quarantine'
      ? [keepHidden, h('button', { type: 'button', className: 'secondary', 'data-answer': 'accept', onclick: () => finish('accept') }, 'I did this')]
      : issue.cipherId ? [keepHidden, logOut] : [logOut];
    const dialog = h('dialog', { className: 'unsafe card', 'data-check': issue.code, 'data-kind': issue.kind, 'aria-labelledby': titleId, role: 'alertdialog' },
      h('h2', { id: titleId }, UNSAFE_TITLE),
      h('p', {}, issue.message),
      change(issue),
      h('p', { className: 'meta' }, `Check: ${issue.code}`),
      h('div', { className: 'actions' }, buttons));
    // Escape would close the dialog without an answer: keep it open.
    dialog.addEventListener('cancel', (e) => e.preventDefault());
    document.body.append(dialog);
    dialog.showModal();
    buttons[0]!.focus();
  });
}

function warnings(): HTMLElement {
  let region = document.getElementById('unsafe-warnings');
  if (!region) {
    region = h('div', { id: 'unsafe-warnings', className: 'unsafe-warnings', 'aria-live': 'polite' });
    document.body.prepend(region);
  }
  return region;
}

/** A warning stays until dismissed; the same code with the same text is shown once. */
function showWarning(issue: IntegrityIssue): void {
  const region = warnings();
  for (const el of region.querySelectorAll<HTMLElement>('[data-check]')) {
    if (el.dataset.check === issue.code && el.dataset.message === issue.message) return;
  }
  const notice: HTMLElement = h('div', { className: 'message error unsafe-warning', role: 'status', 'data-check': issue.code, 'data-kind': 'warn', 'data-message': issue.message },
    h('strong', {}, `${UNSAFE_TITLE}: `), issue.message, ' ', change(issue), h('span', { className: 'meta' }, ` (${issue.code}) `),
    h('button', { type: 'button', className: 'secondary small', onclick: () => notice.remove() }, 'OK'));
  region.append(notice);
}

/**
 * What the app answers to the vault's findings (vault.onIssue): the dialog, and "Log out" ends the session here.
 */
export async function answerIssue(issue: IntegrityIssue): Promise<UnsafeAnswer> {
  const answer = await showUnsafe(issue);
  if (answer === 'log-out') {
    vault.forget();
    go('/login');
  }
  return answer;
}

/**
 * Handles an error a screen caught: a ServerIntegrityError about the whole session locks the vault and forgets the
 * session at once (nothing more is sent), then shows the dialog; "Log out" leads to the login screen. One about an
 * item (cipher-key-dropped) asks as a question. Returns false for any other error, which the screen shows as usual.
 */
export function handleUnsafe(err: unknown): boolean {
  if (!isIntegrityError(err)) return false;
  void refuse(err);
  return true;
}

async function refuse(err: ServerIntegrityError): Promise<void> {
  if (err.kind !== 'refuse' || err.cipherId) {
    await answerIssue(err.issue());
    return;
  }
  vault.forget();
  await showUnsafe(err.issue());
  go('/login');
}
