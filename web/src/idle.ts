// Locks the vault after a stretch without keyboard or pointer activity. The timeout is a preference in
// localStorage (minutes; 0 = never), changed on the settings screen.
const KEY = 'coffer.idleMinutes';
export const DEFAULT_IDLE_MINUTES = 15;

export function idleMinutes(): number {
  const stored = Number(localStorage.getItem(KEY));
  return localStorage.getItem(KEY) !== null && Number.isFinite(stored) && stored >= 0 ? stored : DEFAULT_IDLE_MINUTES;
}

export function setIdleMinutes(minutes: number): void {
  localStorage.setItem(KEY, String(minutes));
  restart();
}

let onIdle: () => void = () => {};
let timer: ReturnType<typeof setTimeout> | undefined;
let lastActivity = Date.now();

function restart(): void {
  clearTimeout(timer);
  const minutes = idleMinutes();
  if (minutes > 0) timer = setTimeout(check, minutes * 60_000);
}

// Checked against the clock too: timers are throttled in background tabs and after a laptop sleeps.
function check(): void {
  const minutes = idleMinutes();
  if (minutes > 0 && Date.now() - lastActivity >= minutes * 60_000) onIdle();
  else restart();
}

export function startIdleLock(callback: () => void): void {
  onIdle = callback;
  for (const event of ['pointerdown', 'keydown', 'wheel', 'touchstart']) {
    window.addEventListener(event, () => {
      lastActivity = Date.now();
    }, { passive: true, capture: true });
  }
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
  });
  setInterval(check, 30_000);
  restart();
}
