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

/** Arms the timer for the moment the idle time would run out, counted from the last activity. */
function restart(): void {
  clearTimeout(timer);
  const minutes = idleMinutes();
  if (minutes > 0) timer = setTimeout(check, Math.max(1000, lastActivity + minutes * 60_000 - Date.now()));
}

// Checked against the clock too: timers are throttled in background tabs and stop while a laptop sleeps.
function check(): void {
  const minutes = idleMinutes();
  if (minutes > 0 && Date.now() - lastActivity >= minutes * 60_000) {
    lastActivity = Date.now();
    onIdle();
  }
  restart();
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
