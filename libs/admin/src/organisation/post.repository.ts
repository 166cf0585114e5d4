import { Injectable } from '@nestjs/common';
import { type Db, type Post, type Prisma, PrismaService } from '@fleetgate/persistence';

/** Posts are shown with how many users hold them. */
const WITH_USER_COUNT = { _count: { select: { users: true } } } as const;

export type PostRecord = Post & { _count: { users: number } };

export interface PostFields {
  code?: string;
  name?: string;
  sort?: number;
}

/** Posts (`posts`) and who holds them (`user_posts`). */
@Injectable()
export class PostRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A page of posts whose name or code contains `text` (any post without it). */
  page(text: string | undefined, skip: number, take: number, db: Db = this.prisma): Promise<PostRecord[]> {
    return db.post.findMany({
      where: postWhere(text),
      orderBy: [{ sort: 'asc' }, { code: 'asc' }],
      skip,
      take,
      include: WITH_USER_COUNT,
    });
  }

  count(text: string | undefined, db: Db = this.prisma): Promise<number> {
    return db.post.count({ where: postWhere(text) });
  }

  async exists(id: string, db: Db = this.prisma): Promise<boolean> {
    return (await db.post.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  /** How many of these ids name a post. */
  countExisting(ids: string[], db: Db = this.prisma): Promise<number> {
    return db.post.count({ where: { id: { in: ids } } });
  }

  create(fields: PostFields & { code: string; name: string }, db: Db = this.prisma): Promise<PostRecord> {
    return db.post.create({ data: fields, include: WITH_USER_COUNT });
  }

  update(id: string, fields: PostFields, db: Db = this.prisma): Promise<PostRecord> {
    return db.post.update({ where: { id }, data: fields, include: WITH_USER_COUNT });
  }

  async delete(id: string, db: Db = this.prisma): Promise<void> {
    await db.post.delete({ where: { id } });
  }

  /** How many users hold the post. */
  holderCount(postId: string, db: Db = this.prisma): Promise<number> {
    return db.userPost.count({ where: { postId } });
  }

  /** The posts each of these users holds. */
  async postIdsOf(userIds: string[], db: Db = this.prisma): Promise<Map<string, string[]>> {
    const rows = await db.userPost.findMany({ where: { userId: { in: userIds } }, select: { userId: true, postId: true } });
    const byUser = new Map<string, string[]>();
    for (const { userId, postId } of rows) byUser.set(userId, [...(byUser.get(userId) ?? []), postId]);
    return byUser;
  }

  /** Gives a user these posts besides those they hold. */
  async addPostsOf(userId: string, postIds: string[], db: Db = this.prisma): Promise<void> {
    if (postIds.length) await db.userPost.createMany({ data: postIds.map((postId) => ({ userId, postId })) });
  }

  /** Replaces the posts a user holds. */
  async replacePostsOf(userId: string, postIds: string[], db: Db = this.prisma): Promise<void> {
    await db.userPost.deleteMany({ where: { userId } });
    await db.userPost.createMany({ data: postIds.map((postId) => ({ userId, postId })) });
  }
}

function postWhere(text: string | undefined): Prisma.PostWhereInput {
  return text
    ? {
        OR: [
          { name: { contains: text, mode: 'insensitive' } },
          { code: { contains: text, mode: 'insensitive' } },
        ],
      }
    : {};
}
