import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { DirectoryChange, NewDirectoryUser, UserDirectory } from './user-directory.ts';

const client = new CognitoIdentityProviderClient({});

/**
 * Cognito adapter. The pool signs in by email and names users by their `sub`,
 * which becomes the CRM user id; tenant and team travel as custom attributes
 * in the ID token, the role as the group.
 */
export function cognitoDirectory(userPoolId: string): UserDirectory {
  return {
    async createUser(user: NewDirectoryUser) {
      const { User } = await client.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: user.name },
            { Name: 'custom:tenantId', Value: user.tenantId },
            ...(user.teamId ? [{ Name: 'custom:teamId', Value: user.teamId }] : []),
          ],
        }),
      );
      const sub = User?.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
      if (!sub) throw new Error('Cognito returned a user without a sub');
      await client.send(
        new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: sub, GroupName: user.role }),
      );
      return sub;
    },

    async updateUser(userId: string, change: DirectoryChange) {
      if (change.role && change.role.from !== change.role.to) {
        await client.send(
          new AdminAddUserToGroupCommand({
            UserPoolId: userPoolId,
            Username: userId,
            GroupName: change.role.to,
          }),
        );
        await client.send(
          new AdminRemoveUserFromGroupCommand({
            UserPoolId: userPoolId,
            Username: userId,
            GroupName: change.role.from,
          }),
        );
      }
      if (change.teamId !== undefined) {
        await client.send(
          new AdminUpdateUserAttributesCommand({
            UserPoolId: userPoolId,
            Username: userId,
            // An empty value clears the attribute: the user has no team.
            UserAttributes: [{ Name: 'custom:teamId', Value: change.teamId ?? '' }],
          }),
        );
      }
      if (change.active !== undefined) {
        const Command = change.active ? AdminEnableUserCommand : AdminDisableUserCommand;
        await client.send(new Command({ UserPoolId: userPoolId, Username: userId }));
      }
    },

    async deleteUser(userId: string) {
      await client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: userId }));
    },
  };
}
