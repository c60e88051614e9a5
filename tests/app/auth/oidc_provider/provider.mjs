// An independent, OpenID Certified provider (panva's oidc-provider) on loopback, for the
// tests of the city-app sign-in (tests/app/auth/test_oidc_certified.py).
//
// The client and the test provider in src/tohyo/testidp are built on the same library, so a
// shared misunderstanding of the protocol would pass both; this provider shares nothing with
// the client. Its configuration is the one a city would ask of a real provider: the
// authorization-code flow with PKCE (S256) required, client authentication by
// private_key_jwt only, pairwise subjects, and the standard claims placement (the
// `conformIdTokenClaims` default: scope claims are served from the userinfo endpoint, not
// copied into the ID token, OIDC Core §5.4).
//
// Usage: node provider.mjs CONFIG.json. CONFIG holds {"clients": [{client_id, redirect_uris,
// jwks}], "users": {login: {birthdate, address, name}}}. The script listens on 127.0.0.1 on a
// free port and prints one line {"issuer": ...} when it is ready. The interaction (login and
// consent) is answered at once for the user named in `login_hint`: the tests play the browser
// and have no one to type a password.

import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'op-1', use: 'sig', alg: 'RS256' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
const pairwiseSalt = 'tohyo-test-op';

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    redirect_uris: client.redirect_uris,
    jwks: client.jwks,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'RS256',
    id_token_signed_response_alg: 'RS256',
    subject_type: 'pairwise',
  })),
  jwks: { keys: [signing] },
  pkce: { required: () => true },
  clientAuthMethods: ['private_key_jwt'],
  subjectTypes: ['pairwise'],
  pairwiseIdentifier: async (ctx, accountId, client) =>
    createHmac('sha256', pairwiseSalt).update(`${client.sectorIdentifier}\0${accountId}`).digest('base64url'),
  claims: {
    openid: ['sub'],
    birthdate: ['birthdate'],
    address: ['address'],
    profile: ['name', 'birthdate'],
  },
  scopes: ['openid', 'birthdate', 'address', 'profile'],
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['tohyo-test-op-cookie-key'] },
  findAccount: async (ctx, id) => {
    const user = config.users[id];
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, ...user }),
    };
  },
});
provider.on('server_error', (ctx, error) => console.error('server_error', error));

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const login = String(params.login_hint || '');
    if (!config.users[login]) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('unknown login_hint');
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: login } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  // Consent: grant what was asked (the tests decide what the client asks for).
  const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, {
    mergeWithLastSubmission: true,
  });
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((error) => {
      console.error(error);
      res.writeHead(500);
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
process.stdin.on('end', () => process.exit(0)); // the test closes stdin: stop
process.stdin.resume();
