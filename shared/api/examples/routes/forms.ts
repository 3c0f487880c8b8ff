import { HONEYPOT_FIELD } from '../../../domain/forms.ts';
import type { RouteExamples } from '../../route.ts';

const PUBLIC_ID = 'AQGTPnqDrGm0Xw8l1p0Cz1xkZW1vdJrRl4TfVt-2nqj0cE8lPQ';
const FORM_ID = '01JDQ6Z8K4M9N2P3R5S7T9V1WX';

const formRequest = {
  name: 'Contact us',
  fields: [
    { field: 'firstName', required: true, label: 'First name' },
    { field: 'lastName' },
    { field: 'email', required: true },
    { field: 'companyName', label: 'Company' },
  ],
  redirectUrl: 'https://www.example.com/thanks',
  doubleOptIn: true,
};

const formRecord = {
  ...formRequest,
  id: FORM_ID,
  createdAt: '2030-01-15T09:30:00.000Z',
  updatedAt: '2030-01-15T09:30:00.000Z',
  createdBy: 'admin-1',
  updatedBy: 'admin-1',
  version: 1,
  ownerId: 'admin-1',
  archived: false,
  submitUrl: `https://api.example.com/f/${PUBLIC_ID}`,
  embedHtml: `<form action="https://api.example.com/f/${PUBLIC_ID}" method="post" accept-charset="UTF-8" class="crm-form">\n  <label>First name <input name="firstName" type="text" required></label>\n  ...\n</form>`,
  honeypotField: HONEYPOT_FIELD,
};

/** A public page as the documentation shows it (shared/http/pages.ts builds the real ones, styled). */
const page = (title: string, text: string) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>\n<body><h1>${title}</h1>\n<p>${text}</p>\n</body></html>\n`;

/** Examples of the forms routes for the OpenAPI document, by operationId. */
export const formsRouteExamples = {
  listForms: { response: { items: [formRecord], nextCursor: null } },
  createForm: { request: formRequest, response: formRecord },
  getForm: { response: formRecord },
  updateForm: {
    request: { name: 'Contact sales' },
    response: { ...formRecord, name: 'Contact sales', version: 2 },
  },
  restoreForm: { response: formRecord },
  submitForm: {
    request: {
      firstName: 'Ana',
      lastName: 'García',
      email: 'ana@example.com',
      companyName: 'Acme',
      utm_source: 'newsletter',
      utm_campaign: 'spring',
      [HONEYPOT_FIELD]: '',
    },
    response: { status: 'confirmation_required' },
    location: 'https://www.example.com/thanks',
    media: {
      'text/html': page(
        'Thank you',
        'We received your details. Please check your inbox and click the link in our email to confirm your subscription.',
      ),
    },
  },
  getFormConfirmPage: {
    media: {
      'text/html': page(
        'Confirm your subscription',
        'Do you want to receive our emails? Press the button to confirm your subscription.',
      ).replace(
        '</p>\n',
        '</p>\n<form method="post"><button type="submit">Confirm my subscription</button></form>\n',
      ),
    },
  },
  confirmFormSubscription: {
    media: { 'text/html': page('You are subscribed', 'Thank you: your subscription is confirmed.') },
  },
} satisfies Readonly<Record<string, RouteExamples>>;
