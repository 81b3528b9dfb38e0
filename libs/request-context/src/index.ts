/**
 * The nestjs-cls request context, for the apps that run one (player, agent,
 * admin). A separate lib so that an app without it (the gateway) does not
 * load nestjs-cls, whose import alone enables Node's async hooks.
 */
export * from './cls-request-context.module';
export * from './request-context.middleware';
