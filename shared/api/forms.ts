import { PUBLIC_SUBMIT_THROTTLE } from '../domain/forms.ts';
import { listOf } from '../schemas/common.ts';
import { formSchemas } from '../schemas/forms.ts';
import { defineRoutes } from './route.ts';

/** The page shapes the public routes answer, as the documentation shows them. */
const PAGE = 'A small HTML page (no script) that says what happened';

/**
 * Web-to-lead forms (SPEC "Capture"). Forms are tenant settings: only admins
 * manage them (SPEC: "Only admins ... manage settings"). `/f/...` are the
 * public routes a website's visitors reach, without a token: the form's
 * public id in the path is sealed with the tenant, so it is the only tenant
 * a submission can touch.
 */
export const formRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/forms',
    operationId: 'listForms',
    role: { least: 'admin' },
    summary: 'List the web-to-lead forms (admin), newest first',
    query: () => formSchemas().listQuery,
    response: () => listOf(formSchemas().record),
    status: 200,
  },
  {
    method: 'POST',
    path: '/forms',
    operationId: 'createForm',
    role: { least: 'admin' },
    summary:
      'Define a web-to-lead form (admin): `fields` are lead fields (`firstName` always, required; `email` or `phone`; ' +
      '`lastName`, `companyName`, `country`, `customFields.<key>` of lead custom fields, every required one), each ' +
      '`{field, required?, label?}`; `redirectUrl` is where a browser goes after sending it; `doubleOptIn` ' +
      'subscribes the person only once they confirm by email (the form must then take a required `email`). ' +
      'The record shows its `submitUrl` and `embedHtml`, the snippet to paste into a page',
    body: () => formSchemas().create,
    response: () => formSchemas().record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/forms/{id}',
    operationId: 'getForm',
    role: { least: 'admin' },
    summary: 'Read a form (admin), with its submit URL and embed snippet',
    response: () => formSchemas().record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/forms/{id}',
    operationId: 'updateForm',
    role: { least: 'admin' },
    summary:
      'Change a form (admin; JSON merge patch, `fields` replaced whole). Its public id stays the same, so embedded copies keep working',
    body: () => formSchemas().patch,
    response: () => formSchemas().record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/forms/{id}',
    operationId: 'archiveForm',
    role: { least: 'admin' },
    summary: 'Archive a form (admin): its public URL answers 404 until it is restored',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/forms/{id}/restore',
    operationId: 'restoreForm',
    role: { least: 'admin' },
    summary: 'Restore an archived form (admin): its public URL works again',
    response: () => formSchemas().record,
    status: 200,
  },
  {
    method: 'POST',
    path: '/f/{formId}',
    operationId: 'submitForm',
    public: true,
    missing: 'Form',
    summary:
      'Submit a web-to-lead form (public, no token), `application/x-www-form-urlencoded` (an HTML form) or ' +
      '`application/json`; anything else 415. Creates a lead with `source: web`, owned as the tenant’s assignment ' +
      'rule says (else by the form’s owner), keeping the UTM parameters (body or query) and the page it came from. ' +
      'JSON answers 201 `{status}`; a form post answers a thank-you page, or 303 to the form’s `redirectUrl`; ' +
      'invalid answers are listed (400, a page for a form post). The honeypot field `website` must stay empty: ' +
      'filled, the answer is the same and nothing is created. Limited per source address and per form (429 with ' +
      '`Retry-After`). With double opt-in the person is emailed a confirmation link and subscribed only after it',
    readsBody: {
      schema: () => formSchemas().submission,
      mediaTypes: ['application/x-www-form-urlencoded', 'application/json'],
    },
    response: () => formSchemas().submitted,
    responseMediaTypes: { 'text/html': `${PAGE}: thank you (a form post without redirectUrl)` },
    redirect: { description: 'The form’s `redirectUrl` (a form post, when the form has one)', status: 303 },
    throttle: PUBLIC_SUBMIT_THROTTLE,
    status: 201,
  },
  {
    method: 'GET',
    path: '/f/{formId}/confirm',
    operationId: 'getFormConfirmPage',
    public: true,
    missing: 'Link',
    summary:
      'Double opt-in confirmation page (public, the link of the email a submission sent): a page with a button ' +
      'that POSTs to the same URL; it changes nothing by itself, since mail scanners and link previews follow ' +
      'links. After confirming, it says they are already subscribed; an expired, tampered or foreign link is a 404',
    query: () => formSchemas().confirmQuery,
    responseMediaTypes: { 'text/html': `${PAGE}: a button to confirm, or already subscribed` },
    status: 200,
  },
  {
    method: 'POST',
    path: '/f/{formId}/confirm',
    operationId: 'confirmFormSubscription',
    public: true,
    missing: 'Link',
    summary:
      'Confirm a double opt-in subscription (public: the button of the confirmation page, same `token`): ' +
      'subscribes the person to marketing email, keeping when and through which form they consented; a contact ' +
      'that holds the address and had unsubscribed is subscribed again (never one that bounced or complained). ' +
      'Answers a page. Repeating it changes nothing and says they are already subscribed; an expired, tampered ' +
      'or foreign link is a 404',
    query: () => formSchemas().confirmQuery,
    responseMediaTypes: { 'text/html': `${PAGE}: subscribed, or already subscribed` },
    status: 200,
  },
]);
