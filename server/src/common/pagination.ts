import { Max, Min, MaxLength } from 'class-validator';
import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';

@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: 0 })
  @Min(0)
  offset: number = 0;

  @Field(() => Int, { defaultValue: 20 })
  @Min(1)
  @Max(200)
  limit: number = 20;

  @Field(() => String, { nullable: true, description: 'Case-insensitive text search.' })
  @MaxLength(200)
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

/** Escapes LIKE wildcards so a search term matches literally. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
