import { h, replace } from '../dom';

/** Shown instead of the vault when the page is not a secure context (plain HTTP on a host other than localhost). */
export function insecureScreen(root: HTMLElement): void {
  const https = `https://${location.hostname}${location.port === '8080' ? ':8443' : ''}${location.pathname}`;
  replace(root,
    h('main', { id: 'main', className: 'narrow' },
      h('h1', {}, 'This connection is not secure'),
      h('p', {}, 'Coffer encrypts your vault in the browser, and browsers allow that only over HTTPS (or plain HTTP on localhost). ',
        'Nothing was sent: open the vault over HTTPS instead.'),
      h('p', {}, h('a', { href: https }, https))));
}
