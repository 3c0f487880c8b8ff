import { ulid } from 'ulid';
import { config } from '../config.ts';
import type { UserDirectory } from './user-directory.ts';

const localDirectory: UserDirectory = {
  createUser: async () => ulid(),
  updateUser: async () => {},
  deleteUser: async () => {},
};

let directory: Promise<UserDirectory> | undefined;

/**
 * The directory of this environment: Cognito in AWS, the local stand-in under `npm start`. Loads
 * the Cognito adapter only where it is used, keeping it out of local runs.
 */
export function userDirectory(): Promise<UserDirectory> {
  directory ??=
    config.userDirectory === 'cognito'
      ? import('./cognito-directory.ts').then((module) => module.cognitoDirectory(config.userPoolId))
      : Promise.resolve(localDirectory);
  return directory;
}
