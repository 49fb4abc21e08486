// A real OpenID Connect provider (panva/oidc-provider) on 127.0.0.1 for the sign-on tests.
// Configuration comes from the environment (set by tests/app/oidc_provider.py):
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI: the portal as a confidential client;
//   OIDC_ACCOUNTS: {"account id": {"email": ..., "email_verified": bool, "name": ...}}.
// It prints "listening <issuer>" once ready. Sign-in uses the provider's own development
// interaction pages (login form); consent is granted for the one first-party client.
import { randomBytes } from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");
const server = http.createServer();

server.listen(0, "127.0.0.1", () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.OIDC_CLIENT_ID,
        client_secret: process.env.OIDC_CLIENT_SECRET,
        redirect_uris: [process.env.OIDC_REDIRECT_URI],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    cookies: { keys: [randomBytes(32).toString("hex")] },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...account }; } };
    },
    async loadExistingGrant(ctx) {
      // A first-party client: grant the requested scopes without a consent page.
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  server.on("request", provider.callback());
  console.log(`listening ${issuer}`);
});

process.on("SIGTERM", () => server.close(() => process.exit(0)));
