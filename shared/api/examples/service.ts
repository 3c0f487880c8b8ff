import { at, changed, ids, type RecordExample, recordBase, users } from './common.ts';

/** Cases, activities, comments, timelines and notifications of the examples. */

export const caseExamples = {
  create: {
    subject: 'Pallets arrived above 8 °C',
    description: 'Two pallets of the 14 November delivery were logged at 11 °C on arrival in Valencia.',
    type: 'complaint',
    priority: 'high',
    channel: 'email',
    contactId: ids.contact,
    companyId: ids.company,
    assigneeId: users.rep.id,
  },
  get record() {
    return {
      ...recordBase(ids.case, 2),
      ...caseExamples.create,
      status: 'open',
      slaStartAt: '2026-11-18T08:12:00.000Z',
      slaDueAt: '2026-11-18T16:12:00.000Z',
    };
  },
  patch: { status: 'pending', priority: 'urgent' },
  resolve: { resolution: 'Credited the two pallets and replaced the faulty temperature logger.' },
  get resolved() {
    return {
      case: {
        ...caseExamples.record,
        version: 3,
        status: 'resolved',
        resolution: caseExamples.resolve.resolution,
        resolvedAt: '2026-11-18T14:47:00.000Z',
      },
      csatUrl: 'https://api.crm.example/s/eyJjIjoiMDFKQ0M1QzlYM0Y3SDFLNU45UTNUN1cxWjUifQ.X3mGJq1v0rR8d4u9',
    };
  },
  csat: { score: 5, comment: 'Fast and fair, thank you.' },
  sla: { urgent: 4, high: 8, normal: 24, low: 72, updatedAt: at.updated, updatedBy: users.admin.id },
  slaUpdate: { urgent: 2, high: 8 },
  alerts: { staleDealDays: 14, churnRiskThreshold: 70, updatedAt: at.updated, updatedBy: users.admin.id },
  alertsUpdate: { staleDealDays: 21 },
};

export const activityExamples = {
  create: {
    type: 'meeting',
    subject: 'Quarterly review with Northwind purchasing',
    body: 'Agenda: delivery temperatures, 2027 volumes, renewal terms.',
    dueAt: '2026-11-26T10:00:00.000Z',
    remindAt: '2026-11-26T09:30:00.000Z',
    durationMin: 45,
    assigneeId: users.rep.id,
    related: { type: 'deal', id: ids.deal },
  },
  get record(): RecordExample {
    return {
      ...recordBase(ids.activity, 1),
      ...activityExamples.create,
      status: 'open',
      relatedKey: `deal#${ids.deal}`,
      companyId: ids.company,
      reminderState: 'pending',
    };
  },
  patch: { status: 'done' },
  get done(): object {
    return {
      ...changed(activityExamples.record, activityExamples.patch),
      completedAt: at.now,
      reminderState: 'none',
    };
  },
};

/** The record each collaborative resource's examples are about, by its label (`contact`, ...). */
const subjects: Record<string, { type: string; id: string; name: string }> = {
  contact: { type: 'contact', id: ids.contact, name: 'Ana Ruiz' },
  company: { type: 'company', id: ids.company, name: 'Northwind Traders' },
  lead: { type: 'lead', id: ids.lead, name: 'Pablo Serrano' },
  deal: { type: 'deal', id: ids.deal, name: 'Northwind Traders: 2027 supply renewal' },
  case: { type: 'case', id: ids.case, name: 'Pallets arrived above 8 °C' },
};

const commentBody = `Ana confirmed the 2027 volumes; @[${users.manager.id}] can you approve the 10% discount?`;
const rep = { id: users.rep.id, name: users.rep.name };

/** The timeline, comment and follow examples of one collaborative resource (`label`: contact, company, ...). */
export function collaborationExamples(label: string) {
  const subject = subjects[label] ?? { type: label, id: ids.contact };
  return {
    comment: { body: commentBody },
    commentRecord: {
      id: ids.comment,
      recordType: label,
      recordId: subject.id,
      body: commentBody,
      authorId: users.rep.id,
      mentions: [users.manager.id],
      createdAt: at.now,
    },
    timeline: {
      items: [
        {
          id: ids.comment,
          kind: 'comment',
          subject,
          at: at.now,
          actorId: rep.id,
          actor: rep,
          summary: 'Ana confirmed the 2027 volumes; @Jordi Puig can you approve the 10% discount?',
        },
        {
          id: ids.timelineEntry,
          kind: 'updated',
          subject,
          at: at.updated,
          actorId: rep.id,
          actor: rep,
          changes: [{ field: 'tags', from: ['wholesale'], to: ['wholesale', 'key-account'] }],
        },
        {
          id: ids.activity,
          kind: 'activity',
          subject,
          at: at.created,
          actorId: rep.id,
          actor: rep,
          summary: 'Meeting: Quarterly review with Northwind purchasing',
        },
      ],
      nextCursor: 'eyJhdCI6IjIwMjYtMTEtMDJUMDk6MTQ6MjcuNTEyWiJ9',
    },
    following: { following: true },
  };
}

export const notificationExamples = {
  list: {
    items: [
      {
        id: ids.notification,
        kind: 'mention',
        title: 'Lucía García mentioned you on Ana Ruiz',
        record: subjects.contact,
        actorId: rep.id,
        actor: rep,
        commentId: ids.comment,
        excerpt: 'Ana confirmed the 2027 volumes; @Jordi Puig can you approve the 10% discount?',
        occurredAt: at.now,
        read: false,
      },
    ],
    nextCursor: null,
  },
  markRead: { ids: [ids.notification] },
  marked: { updated: 1 },
};
