import ipaddr from 'ipaddr.js';

/**
 * Why an address is not a public unicast one, or undefined when it is. Only ipaddr.js's `unicast`
 * (no special range) is public; every other range is refused: private, loopback, link-local,
 * carrier-grade NAT (Alibaba Cloud's metadata at 100.100.100.200), unique-local (AWS metadata at
 * fd00:ec2::254), multicast, reserved, unspecified, broadcast, Teredo and the rest. IPv6 forms that
 * carry an IPv4 address (mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4 address
 * they reach, since that is where the packets end up.
 */
export function nonPublicRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return judge(parsed.range());
  const v6 = parsed as ipaddr.IPv6;
  const range = v6.range();
  const parts = v6.parts;
  switch (range) {
    case 'ipv4Mapped':
      return embedded(range, v6.toIPv4Address());
    case 'rfc6052':
      // Only the well-known prefix embeds a routable IPv4 address; 64:ff9b:1::/48 is for local use.
      return parts[0] === 0x64 && parts[1] === 0xff9b && parts.slice(2, 6).every((part) => part === 0)
        ? embedded(range, ipv4Of(parts[6], parts[7]))
        : range;
    case '6to4':
      return embedded(range, ipv4Of(parts[1], parts[2]));
    case 'unicast':
      // ::a.b.c.d (IPv4-compatible, deprecated) has no public use and hides an IPv4 address.
      return parts.slice(0, 6).every((part) => part === 0) ? 'ipv4Compatible' : undefined;
    default:
      return range;
  }
}

function judge(range: string): string | undefined {
  return range === 'unicast' ? undefined : range;
}

function embedded(outer: string, inner: ipaddr.IPv4): string | undefined {
  const problem = judge(inner.range());
  return problem && `${outer} ${problem}`;
}

function ipv4Of(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}
