/**
 * @app/sms: the SMS provider client of seeds 000/001 (SMS_URL, SMS_PLATFORM,
 * COOLSMS_*), bounded by a timeout and never leaking the code or the number.
 */
export * from './sms-client';
export * from './sms.module';
