import { templateRoutes } from '#shared/api/templates';
import {
  renderTemplate,
  type StoredSpecs,
  TemplateError,
  type TemplateSource,
  templateFromStored,
} from '#shared/domain/template';
import {
  compileTemplate,
  compileTemplateSpecs,
  packSpecs,
  templateProblems,
} from '#shared/domain/template-save';
import { httpHandler } from '#shared/http/handler';
import { badRequest, invalidFields } from '#shared/http/problem';
import {
  byNameOrOwner,
  create,
  listPage,
  mergePatch,
  newRecordBase,
  ownership,
  readable,
  readableReference,
  recordRoutes,
  update,
} from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { companies, contacts } from '#shared/store/entities';
import { clientView } from '#shared/store/records';
import { type Template, templates, templateVersionKey } from '#shared/store/templates';

/**
 * Where a rendered preview's unsubscribe link points: `.invalid` never
 * resolves (RFC 2606), so nobody can unsubscribe a contact from a preview.
 */
const PREVIEW_UNSUBSCRIBE_URL = 'https://unsubscribe-preview.invalid/this-link-works-only-in-sent-emails';

/**
 * A template must compile before it is stored: a campaign should never find
 * out while sending. Returns what is stored with the version for the senders
 * (the parts compiled, the text part generated from the HTML when it has none).
 */
function compiled(source: TemplateSource): StoredSpecs {
  let problems = templateProblems(source);
  if (problems.length === 0) {
    try {
      return packSpecs(compileTemplateSpecs(source));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems = [error];
    }
  }
  throw invalidFields(
    problems.map((problem) => ({
      path: problem.part,
      message: problem.line === undefined ? problem.reason : `line ${problem.line}: ${problem.reason}`,
    })),
  );
}

/** Source fields only: a client's body never carries (or overwrites) the compiled form. */
const sourceOf = ({ subject, html, text }: TemplateSource): TemplateSource => ({
  subject,
  html,
  ...(text === undefined ? {} : { text }),
});

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(templates);

export const handler = httpHandler(templateRoutes, {
  async listTemplates({ caller, query, page }) {
    const { via, filter } = byNameOrOwner(query.q, query.ownerId);
    return listPage(templates, caller, page, { archived: query.archived, via, filter });
  },

  async createTemplate({ caller, body }) {
    const { ownerId, ...fields } = body;
    const template: Template = {
      ...newRecordBase(await ownership(caller, ownerId)),
      ...fields,
      compiled: compiled(sourceOf(fields)),
    };
    await create(templates, caller, template);
    return created(clientView(templates, template), `/templates/${template.id}`);
  },

  getTemplate: standard.get,

  async updateTemplate({ caller, params, body, ifMatch }) {
    const updated = await update(templates, caller, params.id, {
      ifMatch,
      change: async (current) => {
        const next = await mergePatch(caller, current, body);
        return { ...next, compiled: compiled(sourceOf(next)) };
      },
    });
    return ok(clientView(templates, updated));
  },

  deleteTemplate: standard.archive,
  restoreTemplate: standard.restore,

  async renderTemplate({ caller, params, body }) {
    const template = await readable(templates, caller, params.id);
    const contact = await readableReference(contacts, caller, body.contactId);
    if (!contact)
      throw badRequest('The contact does not exist or you may not read it', [
        { path: 'contactId', message: 'is not a live contact you may read' },
      ]);
    const company = await readableReference(companies, caller, contact.companyId);
    // The stored compiled form, as the senders render it; a version saved before templates were compiled on save is compiled here.
    const compiledTemplate = template.compiled
      ? templateFromStored(templateVersionKey(caller.tenantId, template), template.compiled)
      : compileTemplate(template);
    return ok(
      renderTemplate(compiledTemplate, {
        contact: contact as unknown as Record<string, unknown>,
        company: company as unknown as Record<string, unknown> | undefined,
        unsubscribeUrl: PREVIEW_UNSUBSCRIBE_URL,
      }),
    );
  },
});
