import { Logger } from '@nestjs/common';
import { contactHashShort } from '@app/crypto';
import { Metrics } from '@app/observability';
import type { SmsOutcome } from '@app/sms';
import type { Contact } from './contact';

/**
 * Sends a one-time code to a contact (seed 000 Codex P1-#6 / T1-D-C4): the
 * SMS-success, SMS-not-sent, SMS-exception and email-only paths log
 * `contact_hash=<first 8 hex>` only and count
 * `recovery_sms_delivery_failed_total{service}` or
 * `recovery_email_unprovisioned_total{service}`. The raw `tel=… code=…` line
 * is written only when RECOVERY_EXPOSE_TOKEN_FOR_TESTS is on (the config boot
 * guard refuses that in production). Codes travel in the log message text,
 * never in a field, so they are never mistaken for structured data.
 */

export interface SmsSender {
  send(to: string, text: string): Promise<SmsOutcome>;
}

export interface LoggerLike {
  log(message: unknown, ...rest: unknown[]): unknown;
  warn(message: unknown, ...rest: unknown[]): unknown;
}

export interface CodeDeliveryOptions {
  /** Metric label, e.g. `player_service`. */
  service: string;
  exposeForTests: boolean;
  sms: SmsSender;
  logger?: LoggerLike;
}

export type DeliveryResult = { delivered: true } | { delivered: false; reason: string };

export class CodeDelivery {
  private readonly logger: LoggerLike;

  constructor(private readonly options: CodeDeliveryOptions) {
    this.logger = options.logger ?? new Logger('CodeDelivery');
  }

  async deliver(contact: Contact, code: string, purpose: string): Promise<DeliveryResult> {
    const { service, exposeForTests, sms } = this.options;
    const contactHash = contactHashShort(contact.value);
    if (exposeForTests) {
      this.logger.warn({ msg: `RECOVERY_EXPOSE_TOKEN_FOR_TESTS purpose=${purpose} tel=${contact.value} code=${code}` });
    }
    if (contact.kind === 'email') {
      Metrics.recoveryEmailUnprovisioned().inc({ service });
      this.logger.warn({ msg: 'code not sent: no email provider', purpose, contact_hash: contactHash });
      return { delivered: false, reason: 'email_unprovisioned' };
    }
    let outcome: SmsOutcome;
    try {
      outcome = await sms.send(contact.value, `Your verification code is ${code}`);
    } catch {
      outcome = { delivered: false, platform: 'http', reason: 'network_error' };
    }
    if (outcome.delivered) {
      this.logger.log({ msg: 'code sent by sms', purpose, contact_hash: contactHash });
      return { delivered: true };
    }
    Metrics.recoverySmsDeliveryFailed().inc({ service });
    this.logger.warn({
      msg: 'code not sent: sms delivery failed',
      purpose,
      contact_hash: contactHash,
      reason: outcome.reason,
      http_status: 'httpStatus' in outcome ? (outcome.httpStatus ?? null) : null,
    });
    return { delivered: false, reason: outcome.reason };
  }
}
