/** The shift handover calls (services/api handover-routes.ts; docs/handover.md), typed. */
import type { Handover, HandoverPage, HandoverPreview, HandoverStatus } from '@hazardwatch/contracts';
import type { HttpClient } from './http.js';

/** GET /handovers filters. */
export interface HandoverQuery {
  /** One desk: an enterprise's or a region's code. */
  readonly desk?: string;
  readonly user?: string;
  /** Text in the notes or the acceptance note. */
  readonly q?: string;
  readonly status?: readonly HandoverStatus[];
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  readonly offset?: number;
}

export class HandoverApi {
  constructor(private readonly http: Pick<HttpClient, 'get' | 'post'>) {}

  list = (query: HandoverQuery): Promise<HandoverPage> => this.http.get('/handovers', { ...query });
  /** The caller's desk and what a handover now would record. */
  preview = (): Promise<HandoverPreview> => this.http.get('/handovers/snapshot');
  create = (notes: string): Promise<Handover> => this.http.post('/handovers', { notes });
  accept = (id: string, note?: string): Promise<Handover> =>
    this.http.post(`/handovers/${encodeURIComponent(id)}/accept`, note ? { note } : {});
}
