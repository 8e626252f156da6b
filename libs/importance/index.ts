/**
 * Parameter importance: how much of the variance of a study's objective each parameter explains on
 * its own, by fANOVA over a random forest (Hutter, Hoos and Leyton-Brown 2014; Optuna's
 * FanovaImportanceEvaluator). Pure and browser-safe (numbers in, numbers out; libs/random only).
 */
export { FANOVA_SETTINGS, parameterImportance } from "./forest-importance.ts";
export type { ForestSettings, ImportanceParameter, ImportanceResult, ImportanceTrial, ParameterImportance } from "./forest-importance.ts";
