// Copy with a 30-second lifetime: the clipboard is overwritten with nothing once the time is up, so a copied
// password does not wait there for the next paste into the wrong window.
export const CLIPBOARD_CLEAR_MS = 30_000;

let timer: ReturnType<typeof setTimeout> | undefined;
let pendingClear = false;

async function clear(): Promise<void> {
  try {
    await navigator.clipboard.writeText('');
    pendingClear = false;
  } catch {
    // Browsers refuse clipboard writes from an unfocused page; try again when the page is back in focus.
    pendingClear = true;
  }
}

window.addEventListener('focus', () => {
  if (pendingClear) void clear();
});

export async function copyText(text: string): Promise<void> {
  await navigator.clipboard.writeText(text);
  clearTimeout(timer);
  timer = setTimeout(() => void clear(), CLIPBOARD_CLEAR_MS);
}
