import type { AppDeps } from './app-deps';
import type { Feature } from './common/feature';
import * as featureList from './feature-list';

/** The features named in feature-list.ts. */
export const features: Feature<AppDeps>[] = Object.values(featureList);

export const entities = features.flatMap((feature) => feature.entities);
export const cacheRules = features.flatMap((feature) => feature.cacheRules);
