// The reference's example bodies, verbatim where it gives them (quirks included: trailing zeros,
// "0E-10", JSON numbers, display names, microsecond ISO times). Shapes it abbreviates are completed.

export const ORDERBOOK_BTCIRT = `{"status":"ok","lastUpdate":1644991756704,"lastTradePrice":"35650565900",
 "asks":[["1476091000","1.016"],["1479700000","0.2561"]],
 "bids":[["1470001120","0.126571"],["1470000000","0.818994"]]}`;

export const ORDERBOOK_ALL = `{"status":"ok","BTCIRT":{"lastUpdate":1644991756704,"asks":[["1476091000","1.016"]],"bids":[["1470001120","0.126571"]]},
 "USDTIRT":{"lastUpdate":1644991756705,"asks":[["316900","120.5"]],"bids":[["316800","57.3605"]]}}`;

export const TRADES_BTCIRT = `{"status":"ok","trades":[{"time":1588689375067,"price":"1470000110","volume":"0.002","type":"sell"}]}`;

export const MARKET_STATS = `{"status":"ok","stats":{"btc-rls":{"isClosed":false,"bestSell":"749976360","bestBuy":"733059600",
 "volumeSrc":"0.2929480000","volumeDst":"212724856.0678640000","latest":"750350000","mark":"747461987",
 "dayLow":"686021860","dayHigh":"750350000","dayOpen":"686021860","dayClose":"750350000","dayChange":"9.38"}},
 "global":{"binance":{"btc":"16900.12"}}}`;

export const OHLC = `{"s":"ok","t":[1562095800,1562182200],"o":[146272500,150551000],"h":[150551000,151500000],"l":[145000000,149000000],"c":[150551000,150000000],"v":[18.221362316,9.85]}`;

export const OPTIONS = `{"status":"ok","features":{},"coins":[],"nobitex":{"allCurrencies":["rls","btc","usdt"],
 "minOrders":{"rls":"3000000","usdt":"11"},
 "amountPrecisions":{"BTCIRT":"0.000001","BTCUSDT":"0.000001","USDTIRT":"0.01"},
 "pricePrecisions":{"BTCIRT":"10","BTCUSDT":"0.01","USDTIRT":"10"},"giftCard":{}}}`;

export const ORDER_ADD_OK = `{"status":"ok","order":{"id":25,"type":"buy","execution":"Limit","market":"BTC-RLS","srcCurrency":"Bitcoin",
 "dstCurrency":"﷼","price":"520000000","amount":"0.6","totalPrice":"0","totalOrderPrice":"312000000",
 "matchedAmount":"0","unmatchedAmount":"0.6","status":"Active","partial":false,"fee":"0",
 "created_at":"2018-11-28T11:36:13.592827+00:00","averagePrice":"0","clientOrderId":"order1"}}`;

export const ORDER_ADD_FAILED = `{"status":"failed","code":"SmallOrder","message":"Human readable error message","clientOrderId":"order1"}`;

/** A market order with JSON-number quirks, ریال as the quote name and no `market` field. */
export const ORDER_STATUS_MARKET = `{"status":"ok","order":{"id":5684,"type":"sell","execution":"Market","srcCurrency":"Tether",
 "dstCurrency":"ریال","price":"market","amount":"57.3605000000","totalPrice":"18171806.4","totalOrderPrice":"18171806.4",
 "matchedAmount":57.3605,"unmatchedAmount":"0E-10","status":"Done","partial":false,"fee":0,
 "created_at":"2022-07-05T09:57:38.560820+00:00","averagePrice":"316800.0000000000","clientOrderId":null,"isMyOrder":false}}`;

export const ORDER_NOT_FOUND = `{"detail":"No Order matches the given query."}`;

export const ORDERS_LIST = `{"status":"ok","orders":[
 {"id":25,"type":"buy","execution":"Limit","tradeType":"Spot","srcCurrency":"Bitcoin","dstCurrency":"﷼","market":"BTC-RLS",
  "price":"520000000","amount":"0.6","matchedAmount":"0.2","unmatchedAmount":"0.4","status":"Active","partial":true,
  "fee":"0.00000031","created_at":"2018-11-28T11:36:13.592827+00:00","averagePrice":"519000000","clientOrderId":"order1","param1":null},
 {"id":26,"type":"sell","execution":"Limit","tradeType":"Spot","srcCurrency":"Shiba","dstCurrency":"Euro","market":"SHIB-EUR",
  "price":"1","amount":"1000","matchedAmount":"0","unmatchedAmount":"1000","status":"Active","partial":false,
  "fee":"0","created_at":"2018-11-28T11:36:13.592827+00:00","averagePrice":"0","clientOrderId":null}
 ],"hasNext":false}`;

export const CANCEL_OK = `{"status":"ok","updatedStatus":"Canceled","order":{"id":5684,"type":"buy","execution":"Limit","market":"USDT-RLS",
 "srcCurrency":"Tether","dstCurrency":"﷼","price":"316000","amount":"60","matchedAmount":"0","unmatchedAmount":"60","status":"Canceled",
 "partial":false,"fee":"0","created_at":"2022-07-05T09:57:38.560820+00:00","averagePrice":"0","clientOrderId":"order1"}}`;

export const CANCEL_NOT_APPLIED = `{"status":"failed","updatedStatus":"Done","message":"Order is already done","order":{"id":5684,"type":"buy",
 "execution":"Limit","market":"USDT-RLS","srcCurrency":"Tether","dstCurrency":"﷼","price":"316000","amount":"60","matchedAmount":"60",
 "unmatchedAmount":"0","status":"Done","partial":false,"fee":"0.09","created_at":"2022-07-05T09:57:38.560820+00:00",
 "averagePrice":"316000","clientOrderId":"order1"}}`;

export const NULL_ID_FAILED = `{"status":"failed","code":"NullIdAndClientOrderId","message":"Both id and clientOrderId cannot be null"}`;

export const CANCEL_OLD_OK = `{"status":"ok"}`;

export const USER_TRADES = `{"status":"ok","trades":[{"id":123412,"orderId":1231222,"srcCurrency":"Tether","dstCurrency":"﷼","market":"USDT-RLS",
 "timestamp":"2022-07-05T09:57:38.560820+00:00","type":"sell","price":"316800","amount":"57.3605",
 "total":"18171806.4","fee":"27257.7096"}],"hasNext":false}`;

export const WALLETS = `{"status":"ok","wallets":[{"id":2693280,"currency":"rls","balance":"746212980","blockedBalance":"0","activeBalance":"746212980","rialBalance":746212980,"rialBalanceSell":746212980,"depositAddress":null,"depositTag":null,"depositInfo":{}},
 {"id":2693281,"currency":"btc","balance":"0.0150000000","blockedBalance":"0.0050000000","activeBalance":"0.0100000000","rialBalance":11250000,"rialBalanceSell":11200000,"depositAddress":null,"depositTag":null,"depositInfo":{}}]}`;

export const WALLETS_V2 = `{"status":"ok","wallets":{"RLS":{"id":133777,"balance":"0E-10","blocked":"0"},"BTC":{"id":133778,"balance":"25500000.00000000000000000000","blocked":"3.0000000000"}}}`;

export const PROFILE = `{"status":"ok","profile":{"firstName":"Ali","lastName":"Rezaei","email":"ali@example.com","username":"ali@example.com",
 "mobile":"09120000000","bankCards":[],"bankAccounts":[],"verifications":{},"pendingVerifications":{},
 "options":{"fee":"0.35","feeUsdt":"0.2","isManualFee":false,"tfa":true,"socialLoginEnabled":false},"withdrawEligible":true},
 "tradeStats":{"monthTradesTotal":"0","monthTradesCount":0},"websocketAuthParam":"1987577cdf7c7422dee369e188e276ee"}`;

export const RATE_LIMITED = `{"status":"failed","code":"TooManyRequests","message":"تعداد درخواست شما بیش از حد معمول تشخیص داده شده. لطفا 12 ثانیه صبر نمایید.","backOff":12,"limit":60}`;

export const AUTH_MISSING = `{"detail":"اطلاعات برای اعتبارسنجی ارسال نشده است."}`;
export const AUTH_INVALID = `{"detail":"توکن غیر مجاز است."}`;

export const TOKEN = 'db2055f743c1ac8c30d23278a496283b1e2dd46f';
