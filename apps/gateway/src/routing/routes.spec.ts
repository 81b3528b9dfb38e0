import { matchRoute, PUBLIC_USER_ROUTES } from './routes';

describe('matchRoute', () => {
  it.each([
    ['GET', '/api/v1/user/info', 'player', '/internal/players/info', 'player', false],
    ['POST', '/api/v1/user/login', 'player', '/internal/players/login', 'public', false],
    ['GET', '/api/v1/common/notice?x=1', 'player', '/internal/common/notice', 'public', false],
    ['POST', '/finance/withdraw', 'wallet', '/api/v1/finance/withdraw', 'player', true],
    ['GET', '/api/v1/game/list', 'game', '/api/v1/game/list', 'player', false],
    ['POST', '/api/v1/game/launch', 'game', '/integration/launch', 'player', false],
    ['POST', '/game/launch', 'game', '/integration/launch', 'player', true],
    ['GET', '/rolling/status/', 'rolling', '/api/v1/rolling/status', 'player', true],
    ['GET', '/api/v1/promotion/list', 'promotion', '/api/v1/promotion/list', 'player', false],
    ['POST', '/provider/acme/callback', 'game', '/api/v1/provider/acme/callback', 'provider', true],
  ] as const)('%s %s → %s %s (%s)', (method, url, target, path, auth, legacy) => {
    const route = matchRoute(method, url);
    expect(route).toMatchObject({ target, downstreamPath: path, auth, legacy });
  });

  it('treats every listed public user route as public and nothing else', () => {
    for (const rest of PUBLIC_USER_ROUTES)
      expect(matchRoute('POST', `/api/v1/user/${rest}`)?.auth).toBe('public');
    for (const rest of ['info', 'logout', 'login/extra', 'LOGIN', 'captcha/../info', 'registerx']) {
      expect(matchRoute('POST', `/api/v1/user/${rest}`)?.auth ?? 'unrouted').not.toBe('public');
    }
  });

  it('marks launch and register', () => {
    expect(matchRoute('POST', '/api/v1/game/launch')?.launch).toBe(true);
    expect(matchRoute('POST', '/api/v1/user/register')?.register).toBe(true);
    expect(matchRoute('POST', '/api/v1/user/register/sendSMS')?.register).toBe(false);
  });

  it('classifies and forwards escaped unreserved characters as the characters themselves', () => {
    // An escaped launch path is still launch: JWT-only, player_id overwritten, allow-list checked.
    expect(matchRoute('POST', '/api/v1/game/launc%68')).toMatchObject({
      launch: true,
      downstreamPath: '/integration/launch',
      auth: 'player',
    });
    expect(matchRoute('POST', '/game/%6C%61unch')?.launch).toBe(true);
    expect(matchRoute('GET', '/api/v1/game/launc%68')).toBeNull();
    expect(matchRoute('POST', '/api/v1/user/registe%72')).toMatchObject({
      register: true,
      downstreamPath: '/internal/players/register',
    });
    expect(matchRoute('POST', '/api/v1/user/logi%6E')?.auth).toBe('public');
    // Reserved and non-ASCII escapes are kept as they are.
    expect(matchRoute('GET', '/api/v1/user/messages/a%20b%3F%C3%A9')?.downstreamPath).toBe(
      '/internal/players/messages/a%20b%3F%C3%A9',
    );
  });

  it.each([
    ['GET', '/api/v1/user/info?token=x', '/api/v1/user/*'],
    ['GET', '/user/messages/12', '/user/*'],
    ['GET', '/api/v1/common/notice', '/api/v1/common/*'],
    ['POST', '/finance/withdraw', '/finance/*'],
    ['POST', '/api/v1/game/launch', '/api/v1/game/launch'],
    ['POST', '/game/launch', '/game/launch'],
    ['GET', '/api/v1/game/list', '/api/v1/game/*'],
    ['POST', '/api/v1/provider/acme/callback', '/api/v1/provider/*'],
  ])('labels the metrics of %s %s with the template %s, never the raw path', (method, url, template) => {
    expect(matchRoute(method, url)?.template).toBe(template);
  });

  it('does not resolve a brand for provider callbacks only', () => {
    expect(matchRoute('POST', '/api/v1/provider/x/cb')?.resolvesBrand).toBe(false);
    expect(matchRoute('GET', '/api/v1/common/x')?.resolvesBrand).toBe(true);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/health'],
    ['GET', '/api/v1/user'],
    ['GET', '/api/v1/user/'],
    ['GET', '/api/v2/user/info'],
    ['GET', '/api/v1/admin/x'],
    ['GET', '/api/v1/user/../admin'],
    ['GET', '/api/v1/user/%2e%2e/admin'],
    ['GET', '/api/v1/user/.%2E/admin'],
    ['GET', '/api/v1/user/%2e'],
    ['GET', '/api/v1/user/a%2Fb'],
    ['GET', '/api/v1/user/a%5Cb'],
    ['GET', '/api/v1/user/a\\b'],
    ['GET', '/api/v1/user/./info'],
    ['GET', '/api/v1/user/a//b'],
    ['GET', '/api/v1/user/%E0%A4%A'],
    ['GET', '/api/v1/game/launch'],
    ['PUT', '/game/launch'],
  ])('does not route %s %s', (method, url) => {
    expect(matchRoute(method, url)).toBeNull();
  });
});
