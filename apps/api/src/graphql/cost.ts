import { getNamedType, isLeafType, type DocumentNode, type GraphQLSchema } from "graphql";
import { fieldExtensionsEstimator, getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import { InputError } from "../errors.js";

/**
 * The one cost function: what an operation may cost before it runs (refused above the
 * operation limit) and what it spends of its caller's rate budget. One unit is about one row
 * read or written:
 * - every operation costs OPERATION_COST (10) for what any request costs the server
 *   (authentication, parsing, a database round trip), so a flood of tiny queries spends the
 *   budget too;
 * - an object field costs 1 plus what is selected inside it; scalar and enum fields cost 0;
 * - a paginated list edge costs its page size (`first`, or its default) times (1 + the cost of
 *   one item), so nesting multiplies, as the work does;
 * - a send costs 1 per recipient on top of what its payload selects: a sendBulk with N
 *   recipients costs 10 + N + its selection, so 10,000 recipients ≈ 10,010, while 10,000
 *   sendNotification calls cost about 120,000.
 * Aliases are fields like any other: 50 aliased sendNotification cost 50 times one.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName?: string): number {
  const cost = getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName,
    estimators: [fieldExtensionsEstimator(), objectsCostOne],
    // graphql-query-complexity refuses documents with more nodes than this (aliases included);
    // the token and alias limits refuse such documents first.
    maxQueryNodes: 20_000,
  });
  return OPERATION_COST + cost;
}

/** What any operation costs before its fields: see operationCost. */
export const OPERATION_COST = 10;

const objectsCostOne: ComplexityEstimator = ({ field, childComplexity }) => (isLeafType(getNamedType(field.type)) ? 0 : 1 + childComplexity);

/** A list edge's page: `first` items at most, `defaultSize` when not given. */
export interface PageLimits {
  defaultSize: number;
  max: number;
}

/** type-graphql `complexity` for a paginated list edge (put it on the FieldResolver, which overrides its @Field's). */
export function listCost({ defaultSize, max }: PageLimits): ComplexityEstimator {
  return ({ args, childComplexity }) => {
    const first = typeof args.first === "number" ? args.first : defaultSize;
    return Math.min(Math.max(first, 1), max) * (1 + childComplexity);
  };
}

/** The page size to read, or BAD_USER_INPUT (INVALID_PAGE_SIZE) outside 1..max. */
export function pageSize(first: number | null | undefined, { defaultSize, max }: PageLimits, field = "first"): number {
  if (first == null) return defaultSize;
  if (!Number.isInteger(first) || first < 1 || first > max) throw new InputError("INVALID_PAGE_SIZE", `${field} must be between 1 and ${max}`, field);
  return first;
}

/** The page sizes of every paginated edge, in one place so the cost and the read agree. */
export const PAGES = {
  templates: { defaultSize: 50, max: 200 },
  templateVersions: { defaultSize: 20, max: 100 },
  deliveryHistory: { defaultSize: 50, max: 200 },
  deadLetters: { defaultSize: 50, max: 500 },
  devices: { defaultSize: 20, max: 100 },
  attempts: { defaultSize: 20, max: 100 },
  events: { defaultSize: 50, max: 200 },
} satisfies Record<string, PageLimits>;

/**
 * type-graphql `complexity` for a mutation that writes one row (or notification) per item of
 * an input list: `items(args)` items, capped where the input is refused anyway, plus what the
 * payload selects. 
 */
export function perItemCost(items: (args: Record<string, any>) => number, cap: number): ComplexityEstimator {
  // cap: the input's own limit; a longer list is refused by validation, and costs no more.
  return ({ args, childComplexity }) => Math.min(Math.max(items(args), 1), cap) + childComplexity;
}
