export {
  ChannelHttpClient,
  type ChannelHttpClientOptions,
  type HttpAnswer,
  type HttpBody,
  type HttpPost,
} from './channel-http-client.js';
export {
  CHANNEL_POLICY_DEFAULTS,
  type ChannelPolicy,
  type ChannelPolicyOptions,
  type ChannelPolicyTuning,
  channelRetryClassifier,
  createChannelPolicy,
} from './channel-policy.js';
export { ChatPacer, type ChatPacerOptions } from './chat-pacer.js';
export { CONSOLE_LEVELS, ConsoleChannel, type ConsoleChannelOptions } from './console-channel.js';
export {
  type AlertChannelEntry,
  type AlertChannels,
  type AlertsConfig,
  type CreateAlertChannelsOptions,
  createAlertChannels,
} from './create-alert-channels.js';
export { EMAIL_RECIPIENTS_MAX, EmailChannel, type EmailChannelOptions } from './email-channel.js';
export { ChannelDeliveryError, isChannelDeliveryError, scrubSecrets } from './errors.js';
export { escapeHtml, notificationHtml, plainText, worstSeverity } from './notification-format.js';
export {
  SMS_DEFAULT_URLS,
  SMS_RECIPIENTS_MAX,
  SmsChannel,
  type SmsChannelOptions,
  type SmsProvider,
} from './sms-channel.js';
export { TELEGRAM_CHATS_MAX, TelegramChannel, type TelegramChannelOptions } from './telegram-channel.js';
export { WEBHOOK_HEADERS_MAX, WebhookChannel, type WebhookChannelOptions } from './webhook-channel.js';
export { type WebhookFormat, webhookBody } from './webhook-formats.js';
