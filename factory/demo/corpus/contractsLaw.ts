// The contract-law demo domain: 15 clauses and doctrines x {meaning, example, what to watch for,
// how courts treat it}. Original text written for loraledger; simplified, not legal advice.
import { cap, domainDocuments, type Aspect, type DemoContributor, type DemoDomain, type Topic } from './demoDomain.ts';

interface Clause extends Topic {
  /** With its article, as used mid-sentence: 'an indemnification clause', 'consideration'. */
  ref: string;
  what: string;
  example: string;
  watch: string;
  court: string;
}

const CONTRIBUTORS: readonly DemoContributor[] = [
  { name: 'Elena Vasquez, Esq.', address: '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f', focus: 'commercial clauses' },
  {
    name: 'Prof. David Lindqvist',
    address: '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
    focus: 'contract doctrine',
  },
  { name: 'Hana Sato', address: '0xBcd4042DE499D14e55001CcbB24a551F3b954096', focus: 'everyday agreements' },
];

const CLAUSES: readonly Clause[] = [
  {
    owner: 0,
    ref: 'an indemnification clause',
    what: "a promise by one party to pay for the other party's losses from claims brought by outsiders",
    example: 'The supplier shall indemnify the customer against all claims caused by defective goods.',
    watch: "one-sided duties, no cap on the amount and cover for the other party's own negligence",
    court: "enforce it when the wording is clear, but many refuse to cover a party's own gross negligence",
  },
  {
    owner: 0,
    ref: 'a limitation of liability clause',
    what: 'a term that caps or excludes the damages one party can recover from the other',
    example: 'Neither party is liable for more than the fees paid in the twelve months before the claim.',
    watch: 'a cap far below the real risk and a blanket exclusion of lost profits',
    court: 'usually enforce caps between businesses, but not for fraud or intentional harm',
  },
  {
    owner: 0,
    ref: 'a force majeure clause',
    what: "a term that excuses performance when extraordinary events outside the parties' control prevent it",
    example: 'Neither party is liable for delays caused by flood, war, strikes or other events beyond its control.',
    watch: 'whether pandemics, supply shortages or cyber attacks are listed and what notice is required',
    court: 'read it narrowly and excuse only the events it lists, so higher costs alone rarely qualify',
  },
  {
    owner: 0,
    ref: 'a warranty clause',
    what: 'a promise that goods or services meet a stated standard of quality',
    example: 'The seller warrants that the machine will be free from defects for one year after delivery.',
    watch: 'a short warranty period, vague standards and a disclaimer of all implied warranties',
    court: 'let the buyer recover repair costs or damages when the promised quality is not met',
  },
  {
    owner: 0,
    ref: 'a liquidated damages clause',
    what: 'a fixed sum agreed in advance as compensation for a specific breach',
    example: 'The builder pays 200 dollars for each day the house is finished after the agreed date.',
    watch: 'an amount so high that it looks like a penalty rather than a fair estimate of loss',
    court: 'enforce the sum if it was a reasonable estimate of loss when the contract was signed',
  },
  {
    owner: 1,
    ref: 'consideration',
    what: 'the exchange of something of value that makes a promise legally binding',
    example: 'A buyer pays 300 dollars and the seller hands over a used bicycle, so each side gives value.',
    watch: 'promises where only one side gives anything, such as a bare promise of a gift',
    court: 'require it for a promise to be binding, but they do not ask whether the exchange was fair',
  },
  {
    owner: 1,
    ref: 'a material breach',
    what: 'a failure so serious that it defeats the main purpose of the contract',
    example: 'A caterer who delivers no food to a wedding has committed a material breach.',
    watch: 'a cure period, since many contracts give the breaching party time to fix the problem',
    court: 'let the innocent party stop performing, end the contract and claim damages',
  },
  {
    owner: 1,
    ref: 'a severability clause',
    what: 'a term that keeps the rest of the contract valid if one part is struck down',
    example: 'If any provision is held invalid, the remaining provisions stay in full force.',
    watch: 'whether the clause lets a court rewrite the invalid part or only remove it',
    court: 'strike the invalid term and enforce the rest when the main purpose survives',
  },
  {
    owner: 1,
    ref: 'an entire agreement clause',
    what: 'a term stating that the written contract is the whole deal between the parties',
    example: 'This agreement is the complete understanding of the parties and replaces all earlier discussions.',
    watch: 'side promises made by email or in person, because this clause usually wipes them out',
    court: 'usually refuse to consider earlier talks or drafts to change the written terms',
  },
  {
    owner: 1,
    ref: 'an arbitration clause',
    what: 'a term that sends disputes to a private arbitrator instead of a public court',
    example: 'Any dispute under this agreement shall be decided by a single arbitrator, not a court.',
    watch: 'who pays the arbitrator, where hearings happen and whether class actions are waived',
    court: 'generally enforce it and send the dispute out of court, unless it is grossly unfair',
  },
  {
    owner: 2,
    ref: 'a non-compete clause',
    what: 'a promise not to work for or start a competing business for a period after leaving',
    example: 'The employee shall not work for a competitor within 50 miles for one year after leaving.',
    watch: 'a long duration, a wide geographic area and a broad definition of competitor',
    court: 'enforce it only if it is reasonable in time and area and protects a legitimate business interest',
  },
  {
    owner: 2,
    ref: 'a confidentiality clause',
    what: 'a promise to keep shared business information secret and use it only for the deal',
    example: 'The recipient shall not disclose confidential information to any third party for five years.',
    watch: 'an endless duration, no exception for public information and a vague definition of confidential',
    court: 'enforce it and can order the recipient to stop disclosing and pay damages',
  },
  {
    owner: 2,
    ref: 'a termination for convenience clause',
    what: 'a right to end the contract without proving any breach',
    example: 'Either party may end this agreement for any reason with thirty days of written notice.',
    watch: 'a short notice period and whether work already done will be paid',
    court: 'enforce it as written, though some require the party to act in good faith',
  },
  {
    owner: 2,
    ref: 'an automatic renewal clause',
    what: 'a term that extends the contract for a new period unless someone cancels in time',
    example: 'This service renews for another year unless either party cancels sixty days before the end.',
    watch: 'the cancellation deadline and any price increase at renewal',
    court: 'enforce it, but consumer laws in many places require a clear reminder before renewal',
  },
  {
    owner: 2,
    ref: 'an assignment clause',
    what: 'a term that controls whether a party may transfer its rights and duties to someone else',
    example: 'Neither party may transfer this agreement to another company without written consent.',
    watch: 'whether a sale or merger of the company counts as an assignment',
    court: 'enforce a ban on assignment, although a right to receive payment can often still be transferred',
  },
];

const ASPECTS: readonly Aspect<Clause>[] = [
  {
    questions: (c) => [`What is ${c.ref}?`, `What does ${c.ref} mean in a contract?`, `Can you explain ${c.ref}?`],
    answer: (c) => `${cap(c.ref)} is ${c.what}.`,
  },
  {
    questions: (c) => [
      `What is an example of ${c.ref}?`,
      `Can you give me an example of ${c.ref}?`,
      `How does ${c.ref} look in practice?`,
    ],
    answer: (c) => `A typical example: ${c.example}`,
  },
  {
    questions: (c) => [
      `What should I watch out for in ${c.ref}?`,
      `What are the risks of ${c.ref}?`,
      `What should I check about ${c.ref} before signing?`,
    ],
    answer: (c) => `With ${c.ref}, watch for ${c.watch}.`,
  },
  {
    questions: (c) => [
      `How do courts treat ${c.ref}?`,
      `How would a judge treat ${c.ref}?`,
      `What happens to ${c.ref} in court?`,
    ],
    answer: (c) => `Courts ${c.court}.`,
  },
];

/** The contract-law domain (adapter 'contracts-law', DataNet 'contract-clauses'). */
export function contractsLawDomain(): DemoDomain {
  const { documents, heldOut } = domainDocuments({
    prefix: 'law',
    topics: CLAUSES,
    aspects: ASPECTS,
    explanations: [
      (c) => `${cap(c.ref)} is ${c.what}. Courts ${c.court}.`,
      (c) => `A typical example of ${c.ref}: ${c.example} Watch for ${c.watch}.`,
    ],
    heldOutExplanation: (c) => `${cap(c.ref)} is ${c.what}. Before signing, watch for ${c.watch}.`,
    contributors: CONTRIBUTORS,
  });
  return {
    id: 'contracts-law',
    datanet: 'contract-clauses',
    datanetDescription:
      'Plain-language notes on contract clauses and doctrines: what they mean, typical wording, risks and how courts treat them.',
    description:
      'Contract law assistant: reads agreements, leases and clauses (liability, indemnification, termination, non-compete, confidentiality and NDA, arbitration, renewal, payment terms), explains obligations, breach, remedies, damages and enforceability, and when a court, judge or lawyer gets involved.',
    tags: [
      'law',
      'legal',
      'contract',
      'agreement',
      'clause',
      'lease',
      'landlord',
      'tenant',
      'deposit',
      'employer',
      'competitor',
      'signed',
      'binding',
      'enforceable',
      'breach',
      'damages',
      'compensation',
      'sue',
      'court',
      'lawyer',
      'settlement',
      'subscription',
      'cancel',
      'vendor',
      'supplier',
      'contractor',
      'invoice',
      'trade secrets',
    ],
    owner: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    contributors: CONTRIBUTORS,
    documents,
    heldOut,
    routingQuestions: [
      'My landlord wants to keep my deposit, can he do that under the lease?',
      'Can my employer stop me from joining a competitor after I quit?',
      "What happens if the other side doesn't pay the invoice on time?",
      'Is an agreement made over text messages binding?',
      "Who is responsible for damages if the supplier's product fails?",
      'Should I sign a contract that lets them end it whenever they want?',
      'How do I cancel a subscription that keeps renewing every year?',
      'Can a company sue me for sharing trade secrets with a friend?',
      "What does 'time is of the essence' mean in an agreement?",
      'Do I need a lawyer to review a freelance services agreement?',
      'Is a verbal promise legally enforceable?',
      'The contractor finished the job three months late, can I claim compensation?',
      'What should a settlement agreement include?',
      'Can I get out of a signed lease early?',
      'Is a clause that waives all my rights to sue valid?',
      'How long do I have to file a claim for breach?',
      'Which law applies if the two parties are in different countries?',
      'Can a minor sign a binding agreement?',
      'My NDA says I can never talk about the project, is that too broad?',
      'What remedies does a judge award when a deal falls apart?',
      'Does a contract need to be notarized to count?',
      'How do I negotiate better payment terms with a client?',
      'The vendor sold their company, does my agreement still bind the new owner?',
      'What are the obligations of a tenant under a rental agreement?',
      'Can I be forced into arbitration instead of going to court?',
    ],
  };
}
