/**
 * The API's shapes, all from the generated description of the service
 * (src/main/resources/openapi/openapi.yaml → src/api/generated/openapi.d.ts, made by
 * `npm run generate` before every build and test): nothing here is written by hand twice.
 */
import type { components, paths } from './generated/openapi';

type Schemas = components['schemas'];

export type Greeting = Schemas['Greeting'];
export type HealthCheck = Schemas['HealthCheck'];
export type HealthReport = Schemas['HealthReport'];
export type Captcha = Schemas['Captcha'];
export type RegisterRequest = Schemas['RegisterRequest'];
export type Registered = Schemas['Registered'];
export type LoginRequest = Schemas['LoginRequest'];
export type TokenPair = Schemas['TokenPair'];
export type Me = Schemas['Me'];
export type TotpSetup = Schemas['TotpSecret'];
export type TotpEnabled = Schemas['TotpEnabled'];
export type TotpDisableRequest = Schemas['TotpDisableRequest'];
export type ChangePasswordRequest = Schemas['ChangePasswordRequest'];
export type ForgotPasswordRequest = Schemas['ForgotPasswordRequest'];
export type ResetPasswordRequest = Schemas['ResetPasswordRequest'];
export type Message = Schemas['Message'];
export type SessionList = Schemas['SessionList'];
export type AccountSession = SessionList['sessions'][number];
export type Success = Schemas['Success'];
export type ErrorEnvelope = Schemas['Error'];
export type Reason = Schemas['Reason'];
export type FeatureAnswers = Schemas['FeatureAnswers'];

/** Readiness as the home page shows it: DOWN (503) is a result, not an error. */
export interface Readiness {
  up: boolean;
  status: HealthReport['status'];
  checks: HealthCheck[];
}

/** Every documented path; a typo in a path the client calls is a type error. */
export type ApiPath = keyof paths;
