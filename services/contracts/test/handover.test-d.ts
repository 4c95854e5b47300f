import { expectTypeOf, test } from 'vitest';
import type {
  AuthorityRole,
  Handover,
  HandoverAcceptBody,
  HandoverCreateBody,
  HandoverDesk,
  HandoverSnapshot,
  HandoverStatus,
  WarningColour,
} from '../src/index.js';

test('a handover record names the desk, who handed over and took over, when, the notes and what was open', () => {
  expectTypeOf<Handover['desk']>().toEqualTypeOf<HandoverDesk>();
  expectTypeOf<HandoverDesk['kind']>().toEqualTypeOf<'enterprise' | 'region'>();
  expectTypeOf<Handover['outgoingUser']>().toEqualTypeOf<string>();
  expectTypeOf<Handover['outgoingRole']>().toEqualTypeOf<AuthorityRole>();
  expectTypeOf<Handover['incomingUser']>().toEqualTypeOf<string | null>();
  expectTypeOf<Handover['createdAt']>().toEqualTypeOf<number>();
  expectTypeOf<Handover['acceptedAt']>().toEqualTypeOf<number | null>();
  expectTypeOf<Handover['status']>().toEqualTypeOf<HandoverStatus>();
  expectTypeOf<HandoverStatus>().toEqualTypeOf<'pending' | 'accepted'>();
  expectTypeOf<Handover['snapshot']>().toEqualTypeOf<HandoverSnapshot>();
  expectTypeOf<HandoverSnapshot['warnings'][number]['colour']>().toEqualTypeOf<WarningColour>();
});

test('the client sends notes, never a snapshot', () => {
  expectTypeOf<keyof HandoverCreateBody>().toEqualTypeOf<'notes'>();
  expectTypeOf<HandoverAcceptBody>().toEqualTypeOf<{ note?: string }>();
});
