import { deviceUsername } from '@hazardwatch/core';
import { DeviceCredentialRepository, newDeviceSecret, type SqlClient } from '@hazardwatch/store';

/** The MQTT login of one simulated gateway. */
export interface GatewayLogin {
  readonly username: string;
  readonly password: string;
}

/** Looks up a simulated gateway's login; undefined where none was issued. */
export type GatewayLogins = (gateway: {
  readonly enterprise: string;
  readonly gateway: string;
}) => GatewayLogin | undefined;

/** Recorded as the issuer of the demo gateways' credentials (created_by, like an API user's name). */
export const DEMO_CREDENTIAL_ISSUER = 'hazardwatch-demo';

/**
 * With device authentication on, the broker lets a gateway in only with the credential issued to
 * it: the demo issues one to each of its simulated gateways the way the API does (POST
 * …/gateways/{code}/credentials — a new secret, its salted hash stored, the gateway's username), so
 * they log in and are held to their own topics like real gateways. Every start issues new secrets
 * (the old ones stop working at once): they live in this process only, never on disk.
 */
export async function issueDemoCredentials(
  client: SqlClient,
  gateways: ReadonlyArray<{ readonly enterprise: string; readonly code: string }>,
  nowMs: number,
): Promise<GatewayLogins> {
  const repo = new DeviceCredentialRepository(client);
  const logins = new Map<string, GatewayLogin>();
  for (const g of gateways) {
    const { secret, salt, secretHash } = newDeviceSecret();
    const username = deviceUsername({ enterprise: g.enterprise, gateway: g.code });
    await repo.issue(
      { username, enterprise: g.enterprise, gateway: g.code, salt, secretHash },
      DEMO_CREDENTIAL_ISSUER,
      nowMs,
    );
    logins.set(`${g.enterprise}/${g.code}`, { username, password: secret });
  }
  return ({ enterprise, gateway }) => logins.get(`${enterprise}/${gateway}`);
}
