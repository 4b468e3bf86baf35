// Passage-copying examples: they teach the base model to answer from retrieved context.
//
// Each example is 1-4 short passages about invented entities (villages, rivers, ships...), a
// question about one passage, and an answer that is a verbatim span of that passage. Rendered for
// training exactly as retrieval renders it (attribution/data/augmentPrompt.ts DEFAULT_RAG_TEMPLATE:
// header, "(n) passage" lines, footer, question) as the user turn, with the answer as the reply.
//
//   m passages: 1, 2, 3 and 4 equally often, in a seeded shuffled order (so any slice or stride
//   still mixes them); source = (count of earlier examples with m passages) mod m, so within each m
//   every passage number holds the answer equally often. Distractor passages are of
//   the source's kind half the time, so the name in the question is what picks the passage.
// Names are made up from syllables; within one example no name repeats.
import { Prng } from '../../../common/index.ts';
import { pick, shuffled } from './pick.ts';

export interface CopyingExample {
  /** 1-4 one-line passages (no newlines). */
  passages: string[];
  question: string;
  /** A verbatim span of passages[source]. */
  answer: string;
  /** 0-based index of the passage holding the answer. */
  source: number;
}

interface Fact {
  passage: string;
  /** [question, answer span]. */
  qas: ReadonlyArray<readonly [string, string]>;
}
type Kind = (rng: Prng, name: () => string) => Fact;

const HEADS = [
  'Or',
  'Vel',
  'Ta',
  'Mi',
  'Ka',
  'Bel',
  'Do',
  'Ser',
  'Lu',
  'Fen',
  'Ar',
  'Quil',
  'Ro',
  'Zan',
  'Eli',
  'Pa',
  'Nor',
  'Hal',
];
const TAILS = [
  'lan',
  'mora',
  'rin',
  'dell',
  'vos',
  'tha',
  'mir',
  'ko',
  'bel',
  'den',
  'ria',
  'wyn',
  'dor',
  'ast',
  'ula',
  'gan',
];
const FIRST_NAMES = [
  'Anya',
  'Bram',
  'Cora',
  'Dario',
  'Edda',
  'Felix',
  'Greta',
  'Hamid',
  'Ines',
  'Jonas',
  'Kira',
  'Maren',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'March', 'April', 'June', 'August', 'October', 'November', 'December'];
const CROPS = [
  'blue pears',
  'red barley',
  'striped melons',
  'white figs',
  'golden plums',
  'purple beans',
  'tall sunflowers',
];
const GADGETS = [
  'folding ladder',
  'glass clock',
  'rain meter',
  'wind lamp',
  'copper compass',
  'sound box',
  'snow plow',
];
const CARGO = ['salt and rope', 'wool blankets', 'lamp oil', 'timber', 'glass jars', 'tea and spices', 'iron nails'];
const PERIODS = ['week', 'ten days', 'month', 'two weeks', 'spring'];
const CELEBRATES = [
  'the first snow',
  'the end of the harvest',
  'the return of the cranes',
  'the longest day',
  'the old lighthouse',
];
const COLORS = ['green', 'grey', 'orange', 'blue', 'brown', 'yellow'];
const NESTS = ['reed beds', 'old walls', 'pine trees', 'river banks', 'rocky cliffs'];
const FOODS = ['seeds', 'beetles', 'berries', 'small snails', 'moths'];
const GOODS = ['maps and globes', 'wooden toys', 'paper kites', 'brass bells', 'woolen hats', 'old clocks'];
const TASKS = [
  'sort letters',
  'water the orchards',
  'paint bridges',
  'count stars',
  'clean the harbor',
  'carry bricks',
];
const COVERS = ['snow all year', 'purple moss', 'old pine trees', 'bare red rock'];

const KINDS: readonly Kind[] = [
  (rng, name) => {
    const [n, crop, day] = [name(), pick(rng, CROPS), pick(rng, DAYS)];
    return {
      passage: `The village of ${n} grows ${crop} and holds its market on ${day}s.`,
      qas: [
        [`What does the village of ${n} grow?`, crop],
        [`On which day is the market in ${n}?`, `${day}s`],
      ],
    };
  },
  (rng, name) => {
    const [n, lake, km] = [name(), name(), 40 + rng.int(900)];
    return {
      passage: `The ${n} River is ${km} kilometers long and flows into Lake ${lake}.`,
      qas: [
        [`How long is the ${n} River?`, `${km} kilometers long`],
        [`Where does the ${n} River flow?`, `into Lake ${lake}`],
      ],
    };
  },
  (rng, name) => {
    const [who, gadget, year, town] = [
      `${pick(rng, FIRST_NAMES)} ${name()}`,
      pick(rng, GADGETS),
      1700 + rng.int(250),
      name(),
    ];
    return {
      passage: `${who} invented the ${gadget} in ${year} in the town of ${town}.`,
      qas: [
        [`What did ${who} invent?`, `the ${gadget}`],
        [`When did ${who} invent the ${gadget}?`, `in ${year}`],
        [`Where did ${who} invent the ${gadget}?`, `in the town of ${town}`],
      ],
    };
  },
  (rng, name) => {
    const [n, cargo, from, to, period] = [name(), pick(rng, CARGO), name(), name(), pick(rng, PERIODS)];
    return {
      passage: `The ship ${n} carries ${cargo} from ${from} to ${to} every ${period}.`,
      qas: [
        [`What does the ship ${n} carry?`, cargo],
        [`How often does the ship ${n} sail?`, `every ${period}`],
        [`Where does the ship ${n} sail to?`, to],
      ],
    };
  },
  (rng, name) => {
    const [n, month, what] = [name(), pick(rng, MONTHS), pick(rng, CELEBRATES)];
    return {
      passage: `The ${n} Festival is held in ${month} and celebrates ${what}.`,
      qas: [
        [`When is the ${n} Festival held?`, `in ${month}`],
        [`What does the ${n} Festival celebrate?`, what],
      ],
    };
  },
  (rng, name) => {
    const [n, color, nest, food] = [name(), pick(rng, COLORS), pick(rng, NESTS), pick(rng, FOODS)];
    return {
      passage: `The ${n} is a small ${color} bird that nests in ${nest} and eats ${food}.`,
      qas: [
        [`What color is the ${n}?`, color],
        [`Where does the ${n} nest?`, `in ${nest}`],
        [`What does the ${n} eat?`, food],
      ],
    };
  },
  (rng, name) => {
    const [n, street, hour, goods] = [name(), name(), 6 + rng.int(5), pick(rng, GOODS)];
    return {
      passage: `The shop called ${n} is on ${street} Street, opens at ${hour} o'clock and sells ${goods}.`,
      qas: [
        [`What does the shop called ${n} sell?`, goods],
        [`When does the shop called ${n} open?`, `at ${hour} o'clock`],
        [`Which street is the shop called ${n} on?`, `${street} Street`],
      ],
    };
  },
  (rng, name) => {
    const [n, maker, task] = [name(), `${name()} Works`, pick(rng, TASKS)];
    return {
      passage: `The robot ${n} was built by ${maker} to ${task}.`,
      qas: [
        [`What was the robot ${n} built to do?`, task],
        [`Who built the robot ${n}?`, maker],
      ],
    };
  },
  (rng, name) => {
    const [n, meters, cover] = [name(), 800 + rng.int(4000), pick(rng, COVERS)];
    return {
      passage: `Mount ${n} is ${meters} meters high, and its peak is covered in ${cover}.`,
      qas: [
        [`How high is Mount ${n}?`, `${meters} meters high`],
        [`What covers the peak of Mount ${n}?`, cover],
      ],
    };
  },
  (rng, name) => {
    const [n, books, day] = [name(), 1000 + 500 * rng.int(40), pick(rng, DAYS)];
    return {
      passage: `The ${n} Library holds ${books} books and is open every day except ${day}.`,
      qas: [
        [`How many books does the ${n} Library hold?`, `${books} books`],
        [`On which day is the ${n} Library closed?`, day],
      ],
    };
  },
];

/** `count` copying examples (seeded: equal on every call). */
export function copyingExamples(count = 400): CopyingExample[] {
  const rng = new Prng(31);
  const perSize = [0, 0, 0, 0, 0]; // examples so far with m passages, m = 1..4
  const sizes = shuffled(
    rng,
    Array.from({ length: count }, (_, i) => 1 + (i % 4)),
  );
  const out: CopyingExample[] = [];
  for (const m of sizes) {
    const source = perSize[m]!++ % m;
    const used = new Set<string>();
    const name = () => {
      for (;;) {
        const n = pick(rng, HEADS) + pick(rng, TAILS);
        if (!used.has(n)) return (used.add(n), n);
      }
    };
    const kind = rng.int(KINDS.length);
    const facts = Array.from({ length: m }, (_, j) =>
      KINDS[j === source || rng.int(2) === 0 ? kind : rng.int(KINDS.length)]!(rng, name),
    );
    const [question, answer] = pick(rng, facts[source]!.qas);
    out.push({ passages: facts.map((f) => f.passage), question, answer, source });
  }
  return out;
}
