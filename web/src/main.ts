// Entry point. WebCrypto (and crypto.randomUUID) exist only in secure contexts: HTTPS anywhere, or plain HTTP on
// localhost. Elsewhere the page says so instead of failing, and the vault's modules are never loaded.
import { insecureScreen } from './screens/insecure';

if (!window.isSecureContext || !globalThis.crypto?.subtle) {
  insecureScreen(document.getElementById('app')!);
} else {
  void import('./app').then((app) => app.start());
}
