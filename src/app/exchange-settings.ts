// The exchange section of the config as the adapter's and pool's options: every nobitex.* leaf (and
// anomaly.predictive.*) reaches the stack through here, so the settings test can see each one arrive.
import type { KeelConfig } from '../config/index.js';
import { isSecret } from '../config/secret.js';
import type { CreateEnhancedAdapterOptions } from '../exchange/enhanced-nobitex-adapter/create-enhanced-adapter.js';
import { chooseProxy, type ProxyRoute } from '../net/proxy-route.js';
import { breakerOptions } from './exchange-breaker-options.js';

export type ExchangeSettings = Pick<CreateEnhancedAdapterOptions, 'userAgent' | 'pool' | 'options'>;

export function exchangeSettings(config: KeelConfig): ExchangeSettings {
  const nobitex = config.nobitex;
  return {
    userAgent: nobitex.userAgent,
    pool: {
      connectTimeoutMs: nobitex.connectTimeoutMs,
      headersTimeoutMs: nobitex.headersTimeoutMs,
      bodyTimeoutMs: nobitex.bodyTimeoutMs,
      bulkheads: config.bulkheads.exchange,
      // The paper exchange is on loopback: nobitex.proxy is for the real one.
      ...(config.mode === 'live' ? { routeFor: exchangeRouteFor(nobitex.proxy) } : {}),
      predictive: predictiveOptions(config),
    },
    options: {
      breakers: {
        orders: breakerOptions(nobitex.breaker.orders),
        account: breakerOptions(nobitex.breaker.account),
        marketData: breakerOptions(nobitex.breaker.marketData),
      },
      timeoutMs: { orders: nobitex.ordersTimeoutMs },
      retryReads: {
        attemptsMax: nobitex.retry.attemptsMax,
        delayInitialMs: nobitex.retry.delayInitialMs,
        delayMaxMs: nobitex.retry.delayMaxMs,
      },
      cache: {
        orderBook: { ttlMs: nobitex.cache.marketDataTtlMs, staleMaxMs: nobitex.cache.staleMaxMs },
        marketStats: { ttlMs: nobitex.cache.marketDataTtlMs, staleMaxMs: nobitex.cache.staleMaxMs },
        options: {
          ttlMs: nobitex.cache.optionsTtlMs,
          staleMaxMs: Math.max(nobitex.cache.optionsTtlMs, nobitex.cache.staleMaxMs),
        },
        wallets: { ttlMs: nobitex.cache.walletsTtlMs, staleMaxMs: nobitex.cache.staleMaxMs },
      },
    },
  };
}

/** The way to each Nobitex base URL: nobitex.proxy (one for all, or per URL), else HTTPS_PROXY / NO_PROXY. */
function exchangeRouteFor(proxy: KeelConfig['nobitex']['proxy']): (baseUrl: string) => ProxyRoute {
  return (baseUrl) => chooseProxy({ setting: proxySettingFor(proxy, baseUrl), target: baseUrl });
}

/** nobitex.proxy's proxy for `baseUrl` (one for all, or that URL's entry); undefined when none is set. */
export function proxySettingFor(proxy: KeelConfig['nobitex']['proxy'], baseUrl: string): string | undefined {
  if (proxy === undefined) return undefined;
  return isSecret(proxy) ? proxy.reveal() : proxy[baseUrl]?.reveal();
}

/** Predictive recovery's settings for the pool, or false when it is off. */
function predictiveOptions(config: KeelConfig) {
  const { enabled, ...thresholds } = config.anomaly.predictive;
  return enabled ? thresholds : false;
}
