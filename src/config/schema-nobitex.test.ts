// The network setting picks Nobitex's base URL from the reference; explicit base URLs still win.
import { describe, expect, it } from 'vitest';
import { NOBITEX_NETWORK_URLS, nobitexSchema } from './schema-nobitex.js';

describe('nobitex.network', () => {
  it('defaults to the mainnet address', () => {
    const parsed = nobitexSchema.parse({});
    expect(parsed.network).toBe('mainnet');
    expect(parsed.baseUrls).toEqual(['https://apiv2.nobitex.ir']);
  });

  it('testnet selects the testnet API address', () => {
    expect(nobitexSchema.parse({ network: 'testnet' }).baseUrls).toEqual([NOBITEX_NETWORK_URLS.testnet]);
    expect(NOBITEX_NETWORK_URLS.testnet).toBe('https://testnetapiv2.nobitex.ir');
  });

  it('keeps explicit base URLs whatever the network', () => {
    const parsed = nobitexSchema.parse({ network: 'testnet', baseUrls: ['http://127.0.0.1:9000'] });
    expect(parsed.baseUrls).toEqual(['http://127.0.0.1:9000']);
  });

  it('refuses an unknown network', () => {
    expect(() => nobitexSchema.parse({ network: 'devnet' })).toThrow(/mainnet/);
  });
});
