import { ForbiddenError, NotFoundError } from '@fleetgate/domain';
import { createHmac, randomBytes } from 'node:crypto';
import { loadConfig } from '@fleetgate/config';
import type { PrismaService } from '@fleetgate/persistence';
import { systemScope } from '../scope/access-scope';
import { ArtifactRepository } from './artifact.repository';
import { ArtifactService } from './artifact.service';

describe('signed artifact links', () => {
  const id = '3f0c9d0e-1111-4222-8333-444455556666';
  const prisma = {
    artifact: {
      findUnique: async () => ({ id, kind: 'app', fileName: 'app.apk', sourceUrl: null, storagePath: null }),
      findFirst: async () => ({ id, kind: 'app', fileName: 'app.apk', sourceUrl: null, storagePath: null }),
    },
  } as unknown as PrismaService;
  const serviceWith = (env: Record<string, string>) =>
    new ArtifactService(new ArtifactRepository(prisma), loadConfig(env));
  const linkKey = 'artifact-link-key-for-this-test-0123456789';

  it('are signed with ARTIFACT_LINK_KEY, not with a key derived from SECRETS_KEY', async () => {
    const { url } = await serviceWith({ ARTIFACT_LINK_KEY: linkKey }).linkFor(
      id,
      'app',
      systemScope('a unit test of link signing'),
    );
    const query = new URL(url).searchParams;
    const expires = Number(query.get('expires'));
    expect(query.get('signature')).toBe(createHmac('sha256', linkKey).update(`${id}.${expires}`).digest('hex'));

    // Another SECRETS_KEY leaves the link valid (the 404 is the missing stored file, past the signature check)...
    const otherSecrets = serviceWith({ ARTIFACT_LINK_KEY: linkKey, SECRETS_KEY: randomBytes(32).toString('base64') });
    await expect(otherSecrets.openSigned(id, expires, query.get('signature')!)).rejects.toBeInstanceOf(NotFoundError);
    // ...another link key refuses it.
    const otherLinkKey = serviceWith({ ARTIFACT_LINK_KEY: 'another-artifact-link-key-0123456789abcdef' });
    await expect(otherLinkKey.openSigned(id, expires, query.get('signature')!)).rejects.toBeInstanceOf(ForbiddenError);
  });
});
