import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { keyedDigest, networkDigest } from "../../src/edge/client-key.ts";
import { clientNetwork } from "../../src/edge/client-network.ts";

describe("the network a client address stands for", () => {
  it.each([
    // IPv4: the whole address.
    ["203.0.113.7", "v4:203.0.113.7"],
    ["0.0.0.0", "v4:0.0.0.0"],
    ["255.255.255.255", "v4:255.255.255.255"],
    [" 203.0.113.7 ", "v4:203.0.113.7"],
    // IPv6: the /64, however it is written.
    ["2001:db8:77:1::1", "v6:2001:db8:77:1::/64"],
    ["2001:db8:77:1:ffff:ffff:ffff:ffff", "v6:2001:db8:77:1::/64"],
    ["2001:0DB8:0077:0001:0000:0000:0000:0001", "v6:2001:db8:77:1::/64"],
    ["2001:DB8:77:1::ABCD", "v6:2001:db8:77:1::/64"],
    ["[2001:db8:77:1::1]", "v6:2001:db8:77:1::/64"],
    ["fe80::1%eth0", "v6:fe80:0:0:0::/64"],
    ["[fe80::1%25en0]", "v6:fe80:0:0:0::/64"],
    ["2001:db8::", "v6:2001:db8:0:0::/64"],
    ["::", "v6:0:0:0:0::/64"],
    ["::1", "v6:0:0:0:0::/64"],
    ["1::8", "v6:1:0:0:0::/64"],
    ["1:2:3:4:5:6:7::", "v6:1:2:3:4::/64"],
    ["::2:3:4:5:6:7:8", "v6:0:2:3:4::/64"],
    ["2001:db8:77:1:0:0:192.0.2.1", "v6:2001:db8:77:1::/64"],
    ["64:ff9b::192.0.2.1", "v6:64:ff9b:0:0::/64"],
    // IPv4-mapped IPv6: that IPv4 address, dotted or in hex, any case.
    ["::ffff:198.51.100.4", "v4:198.51.100.4"],
    ["::FFFF:198.51.100.4", "v4:198.51.100.4"],
    ["0:0:0:0:0:ffff:198.51.100.4", "v4:198.51.100.4"],
    ["::ffff:c633:6404", "v4:198.51.100.4"],
    ["[::ffff:198.51.100.4]", "v4:198.51.100.4"],
  ])("%s → %s", (address, network) => {
    expect(clientNetwork(address)).toBe(network);
  });

  it.each([
    ["empty", ""],
    ["missing", undefined],
    ["null", null],
    ["a word", "unknown"],
    ["an octet over 255", "256.1.1.1"],
    ["three octets", "1.2.3"],
    ["five octets", "1.2.3.4.5"],
    ["a signed octet", "1.2.3.-4"],
    ["two ::", "2001::db8::1"],
    ["nine groups", "1:2:3:4:5:6:7:8:9"],
    ["seven groups and no ::", "1:2:3:4:5:6:7"],
    ["eight groups and a ::", "1:2:3:4::5:6:7:8"],
    ["a group of five digits", "2001:db8:77:1::12345"],
    ["a non-hex group", "2001:db8:77:1::g"],
    ["a leading single colon", ":1:2:3:4:5:6:7"],
    [":::", ":::"],
    ["IPv4 before ::", "1.2.3.4::"],
    ["IPv4 in the middle", "::1.2.3.4:5"],
    ["a bad embedded IPv4", "::ffff:300.1.1.1"],
    ["an address with a port", "[2001:db8::1]:443"],
    ["a very long header", `2001:db8::${"0".repeat(10_000)}`],
    ["control characters", "2001:db8::1\u0000"],
  ])("%s is the one stable network `invalid`, never an error", (_name, address) => {
    expect(clientNetwork(address)).toBe("invalid");
  });
});

describe("limiter keys of clients", () => {
  const secret = "unit-client-key-secret-0123456789";

  it("are HMAC-SHA256 under the secret, of the kind and the network, not a plain hash of the address", async () => {
    const expected = createHmac("sha256", secret).update("network\u0000v6:2001:db8:77:1::/64").digest("hex").slice(0, 24);
    expect(await networkDigest(secret, "2001:db8:77:1::1")).toBe(expected);
    expect(await networkDigest(secret, "2001:db8:77:1:abcd::9")).toBe(expected);
    expect(await keyedDigest(secret, "network", "v6:2001:db8:77:1::/64")).toBe(expected);
  });

  it("differ by secret, by network and by kind", async () => {
    const a = await networkDigest(secret, "203.0.113.7");
    expect(await networkDigest("another-secret-0123456789abcdef", "203.0.113.7")).not.toBe(a);
    expect(await networkDigest(secret, "203.0.113.8")).not.toBe(a);
    expect(await keyedDigest(secret, "credential", "v4:203.0.113.7")).not.toBe(a);
    expect(await networkDigest(secret, "::ffff:203.0.113.7")).toBe(a);
  });
});
