import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    mqttUrl: string;
    mqttKind: 'external' | 'embedded';
  }
}

/** The services the integration global setup provided (see global-setup.ts). */
export function providedServices(): {
  postgresAdminUrl: string;
  mqttUrl: string;
  mqttKind: 'external' | 'embedded';
} {
  return {
    postgresAdminUrl: inject('postgresAdminUrl'),
    mqttUrl: inject('mqttUrl'),
    mqttKind: inject('mqttKind'),
  };
}
