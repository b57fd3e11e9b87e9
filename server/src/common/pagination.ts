import type { EntityClass, FilterQuery, FindOptions, ObjectQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { z } from 'zod';
import { ValidateWith } from './validation';

/** The longest page any list answers. */
export const PAGE_LIMIT_MAX = 200;

const windowRules = z.object({
  offset: z.number().int().min(0, 'Offset cannot be negative.'),
  limit: z.number().int().min(1, `Limit is 1 to ${PAGE_LIMIT_MAX}.`).max(PAGE_LIMIT_MAX, `Limit is 1 to ${PAGE_LIMIT_MAX}.`),
});

export const pageRules = windowRules.extend({
  search: z.string().max(200, 'Search is at most 200 characters.').optional(),
});

/** Where a page starts and how long it is, for lists without a search. */
@ArgsType()
@ValidateWith(windowRules)
export class WindowArgs {
  @Field(() => Int, { defaultValue: 0 })
  offset: number = 0;

  @Field(() => Int, { defaultValue: 20 })
  limit: number = 20;
}

@ArgsType()
@ValidateWith(pageRules)
export class PageArgs extends WindowArgs {
  @Field(() => String, { nullable: true, description: 'Case-insensitive text search.' })
  search?: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

/** A paginated list type, e.g. `RecipientPage { items total offset limit }`. */
export function PageType<T extends object>(item: ClassType<T>) {
  @ObjectType(`${item.name}Page`)
  abstract class PageClass implements Page<T> {
    @Field(() => [item])
    items!: T[];

    @Field(() => Int)
    total!: number;

    @Field(() => Int)
    offset!: number;

    @Field(() => Int)
    limit!: number;
  }
  return PageClass;
}

/** Where a page starts and how long it is. */
export interface PageWindow {
  offset: number;
  limit: number;
}

/** The rows of `entity` matching `where` inside the window, in `orderBy` order, with how many match in all. */
export async function findPage<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  where: FilterQuery<T>,
  { offset, limit }: PageWindow,
  orderBy: FindOptions<T>['orderBy'],
): Promise<Page<T>> {
  const [items, total] = await em.findAndCount(entity, where, { orderBy, offset, limit });
  return { items, total, offset, limit };
}

/** Rows where any of `fields` contains `search` (case-insensitive); every row without a search. */
export function matchingAny<T>(fields: Array<keyof T & string>, search: string | undefined): ObjectQuery<T> {
  if (!search) return {} as ObjectQuery<T>;
  const like = likePattern(search);
  return { $or: fields.map((field) => ({ [field]: { $ilike: like } })) } as ObjectQuery<T>;
}

/** Escapes LIKE wildcards so a search term matches literally. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
