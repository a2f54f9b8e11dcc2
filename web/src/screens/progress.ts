import { h } from '../dom';

/** Bytes as people read them: 1024 steps, as the server's `sizeName`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB'];
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return `${unit === 0 ? size : size.toFixed(1)} ${units[unit]}`;
}

/**
 * A labelled progress bar with its text ("Uploading: 1.2 MB of 4.0 MB"), for uploads and downloads. `update` takes
 * bytes done and in all (0 = unknown, shown as an indeterminate bar).
 */
export function progressBar(label: string): { el: HTMLElement; update: (done: number, total: number) => void } {
  const bar = h('progress', { 'aria-label': `${label} progress`, max: 1 });
  const text = h('span', { className: 'meta' }, `${label}…`);
  const el = h('div', { className: 'transfer', 'data-testid': 'transfer' }, bar, text);
  return {
    el,
    update: (done, total) => {
      if (total > 0) {
        bar.max = total;
        bar.value = Math.min(done, total);
        text.textContent = `${label}: ${formatBytes(done)} of ${formatBytes(total)}`;
      } else {
        bar.removeAttribute('value');
        text.textContent = `${label}: ${formatBytes(done)}`;
      }
    },
  };
}
