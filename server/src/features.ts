import type { AppDeps } from './app-deps';
import type { OwnerInvalidatedFields } from './common/feature';
import type { Feature } from './common/feature';
import * as featureList from './feature-list';

/** The features named in feature-list.ts. */
export const features: Feature<AppDeps>[] = Object.values(featureList);

export const entities = features.flatMap((feature) => feature.entities);
export const cacheRules = features.flatMap((feature) => feature.cacheRules);

/** Every feature's answerFields, per type. */
export const answerFields: OwnerInvalidatedFields = {};
for (const { answerFields: fields = {} } of features) {
  for (const [type, names] of Object.entries(fields)) answerFields[type] = [...(answerFields[type] ?? []), ...names];
}
