// Where webhooks may be sent (docs/events.md#webhook-urls): http or https, no credentials in the
// URL, and no private, loopback, link-local or otherwise internal address unless the operator
// allows the host or its network (WEBHOOK_ALLOW_PRIVATE). A subscription's URL is checked when it
// is registered and the addresses its host resolves to are checked again at every delivery, at
// connection time, so a name re-pointed to an internal address afterwards (DNS rebinding) is
// refused too.
import dns from 'node:dns';
import net from 'node:net';
import { AppError } from '../core/errors.js';
import type { RuleCode } from '../core/rules.js';

/** Networks no webhook goes to by default (RFC 6890 special-purpose ranges that are not the internet). */
const INTERNAL = new net.BlockList();
for (const [a, p] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) INTERNAL.addSubnet(a, p, 'ipv4');
for (const [a, p] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) INTERNAL.addSubnet(a, p, 'ipv6');

export interface UrlPolicy {
  /** WEBHOOK_ALLOW_PRIVATE: host names, addresses and CIDRs allowed although internal. */
  allowPrivate: readonly string[];
}

const family = (address: string) => (net.isIPv6(address) ? 'ipv6' : 'ipv4');

/** An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

function allowList(policy: UrlPolicy): { hosts: Set<string>; nets: net.BlockList } {
  const hosts = new Set<string>();
  const nets = new net.BlockList();
  for (const entry of policy.allowPrivate) {
    const [addr, prefix] = entry.split('/');
    if (net.isIP(addr)) {
      if (prefix === undefined) nets.addAddress(addr, family(addr));
      else nets.addSubnet(addr, Number(prefix), family(addr));
    } else {
      hosts.add(entry);
    }
  }
  return { hosts, nets };
}

/** May a webhook for `hostname` connect to `address`? */
export function addressAllowed(policy: UrlPolicy, hostname: string, address: string): boolean {
  const a = unmapped(address);
  if (!INTERNAL.check(a, family(a))) return true;
  const allowed = allowList(policy);
  return allowed.hosts.has(hostname.toLowerCase()) || allowed.nets.check(a, family(a));
}

const refused = (rule: RuleCode, detail: string) =>
  new AppError('VALIDATION_FAILED', detail, { rule, errors: [{ path: 'body.url', message: detail }] });

/** The URL's host without IPv6 brackets. */
export const hostOf = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, '$1');

/** How long registration waits for a host to resolve before accepting it unresolved. */
const LOOKUP_TIMEOUT_MS = 3_000;

/** The host's addresses now; none when it does not resolve (in time). */
function resolvedNow(host: string): Promise<string[]> {
  const lookup = dns.promises.lookup(host, { all: true }).then((r) => r.map((a) => a.address), () => []);
  return Promise.race([lookup, new Promise<string[]>((r) => setTimeout(() => r([]), LOOKUP_TIMEOUT_MS).unref())]);
}

/**
 * Checks a subscription URL before it is stored: 400 VALIDATION_FAILED naming the rule. A host that
 * does not resolve now is accepted (it is checked again at each delivery).
 */
export async function checkSubscriptionUrl(policy: UrlPolicy, raw: string): Promise<string> {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw refused('webhook_url_scheme', 'The URL is not an absolute http or https URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw refused('webhook_url_scheme', 'The URL must use http or https');
  if (u.username || u.password) throw refused('webhook_url_credentials', 'The URL must not carry credentials (user:password@)');
  const host = hostOf(u);
  const addresses = net.isIP(host) ? [host] : await resolvedNow(host);
  const internal = addresses.find((a) => !addressAllowed(policy, host, a));
  if (internal) throw refused('webhook_url_private', `The URL's host resolves to ${internal}, a private, loopback or link-local address not allowed by WEBHOOK_ALLOW_PRIVATE`);
  return u.toString();
}

/**
 * A `lookup` for http.request that resolves as usual and then refuses internal addresses, so the
 * check holds for the address actually connected to.
 */
export function guardedLookup(policy: UrlPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => !addressAllowed(policy, hostname, a.address));
      if (bad) return callback(Object.assign(new Error(`${hostname} resolves to ${bad.address}, an internal address not allowed by WEBHOOK_ALLOW_PRIVATE`), { code: 'WEBHOOK_ADDRESS_REFUSED' }), '', 0);
      if ((options as dns.LookupOptions).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
