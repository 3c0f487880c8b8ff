import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { cognitoDirectory } from '#shared/identity/cognito-directory';

const cognito = mockClient(CognitoIdentityProviderClient);
afterEach(() => cognito.reset());

describe('Cognito user directory', () => {
  const directory = cognitoDirectory('pool-1');

  it('creates the user with tenant and team attributes and puts it in its role group', async () => {
    cognito
      .on(AdminCreateUserCommand)
      .resolves({ User: { Attributes: [{ Name: 'sub', Value: 'sub-123' }] } });
    cognito.on(AdminAddUserToGroupCommand).resolves({});
    const id = await directory.createUser({
      tenantId: 'acme',
      email: 'ann@acme.test',
      name: 'Ann',
      role: 'rep',
      teamId: 'red',
    });
    expect(id).toBe('sub-123');
    const [create] = cognito.commandCalls(AdminCreateUserCommand);
    expect(create?.args[0].input.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'custom:tenantId', Value: 'acme' },
        { Name: 'custom:teamId', Value: 'red' },
      ]),
    );
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input).toEqual({
      UserPoolId: 'pool-1',
      Username: 'sub-123',
      GroupName: 'rep',
    });
  });

  it('moves groups on a role change, clears the team and disables the user', async () => {
    cognito.onAnyCommand().resolves({});
    await directory.updateUser('sub-123', {
      role: { from: 'rep', to: 'manager' },
      teamId: null,
      active: false,
    });
    expect(cognito.commandCalls(AdminAddUserToGroupCommand)[0]?.args[0].input.GroupName).toBe('manager');
    expect(cognito.commandCalls(AdminRemoveUserFromGroupCommand)[0]?.args[0].input.GroupName).toBe('rep');
    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)[0]?.args[0].input.UserAttributes).toEqual([
      { Name: 'custom:teamId', Value: '' },
    ]);
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(1);
  });
});
