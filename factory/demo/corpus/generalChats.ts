// Generic chat exchanges for base-model pretraining (original text written for loraledger):
// greetings, simple everyday facts, arithmetic, "summarize this", thanks, and a few multi-turn
// conversations that chain them. Each chat is a list of messages, user first, alternating.
import { Prng } from '../../../common/index.ts';
import { cap, type DemoMessage } from './demoDomain.ts';
import { story } from './generalProse.ts';
import { pick } from './pick.ts';

export type ChatMessages = DemoMessage[];

const GREETINGS: ReadonlyArray<readonly [string, string]> = [
  ['Hello!', 'Hello! How can I help you today?'],
  ['Hi there.', 'Hi! What would you like to know?'],
  ['Good morning!', 'Good morning! What can I do for you?'],
  ['Hey, how are you?', 'I am doing well, thank you. How can I help?'],
  ['Good evening.', 'Good evening! What is on your mind?'],
  ['Hi! Can you help me?', 'Of course. What do you need help with?'],
  ['Hello, is anyone there?', 'Yes, I am here. How can I help?'],
];

const THANKS: ReadonlyArray<readonly [string, string]> = [
  ['Thanks!', "You're welcome!"],
  ['Thank you, that helps.', 'Glad I could help.'],
  ['Great, thanks a lot.', "You're welcome! Let me know if you have other questions."],
  ['Thanks for your help.', 'Happy to help.'],
  ['Perfect, thank you!', 'Anytime! Have a nice day.'],
];

/** Everyday facts: two phrasings of the question, one answer. */
const FACTS: ReadonlyArray<readonly [string, string, string]> = [
  ['How many days are in a week?', 'How many days does a week have?', 'A week has seven days.'],
  ['How many months are in a year?', 'How many months does a year have?', 'A year has twelve months.'],
  ['How many hours are in a day?', 'How long is one day in hours?', 'A day has twenty-four hours.'],
  ['How many minutes are in an hour?', 'How long is an hour in minutes?', 'An hour has sixty minutes.'],
  ['What color is the sky on a clear day?', 'What color is a clear sky?', 'On a clear day the sky looks blue.'],
  ['What do cows eat?', 'What food do cows live on?', 'Cows eat mostly grass and hay.'],
  ['How many legs does a spider have?', 'Do spiders have eight legs?', 'A spider has eight legs.'],
  ['What is the capital of France?', 'Which city is the capital of France?', 'The capital of France is Paris.'],
  ['What do bees make?', 'What do honeybees produce?', 'Bees make honey and wax.'],
  ['What is the opposite of hot?', 'What word means the opposite of hot?', 'The opposite of hot is cold.'],
  ['Which season comes after winter?', 'What season follows winter?', 'Spring comes after winter.'],
  ['What is an umbrella for?', 'Why do people carry umbrellas?', 'An umbrella keeps you dry in the rain.'],
  ['What does a thermometer measure?', 'What is a thermometer used for?', 'A thermometer measures temperature.'],
  ['Where do fish live?', 'Where can fish be found?', 'Fish live in water: rivers, lakes and the sea.'],
  ['What is the largest planet?', 'Which planet is the biggest?', 'Jupiter is the largest planet in our solar system.'],
  [
    'What do plants need to grow?',
    'What does a plant need to grow well?',
    'Plants need sunlight, water, air and soil.',
  ],
  ['At what temperature does water freeze?', 'When does water turn to ice?', 'Water freezes at 0 degrees Celsius.'],
  ['How many continents are there?', 'How many continents does the Earth have?', 'There are seven continents.'],
  ['What do you call a baby cat?', 'What is a young cat called?', 'A baby cat is called a kitten.'],
  ['What do you call a baby dog?', 'What is a young dog called?', 'A baby dog is called a puppy.'],
  ['What is the tallest animal?', 'Which animal is the tallest?', 'The giraffe is the tallest animal.'],
  ['Why do we need sleep?', 'Why is sleep important?', 'Sleep lets the body rest and helps the brain store memories.'],
  ['What is a noun?', 'What kind of word is a noun?', 'A noun is a word for a person, a place or a thing.'],
  ['What is a verb?', 'What kind of word is a verb?', 'A verb is a word for an action, such as run or write.'],
  ['How many sides does a triangle have?', 'How many sides are on a triangle?', 'A triangle has three sides.'],
  ['How many sides does a square have?', 'What is special about a square?', 'A square has four equal sides.'],
  ['What is the first month of the year?', 'Which month starts the year?', 'January is the first month of the year.'],
  ['What is the last month of the year?', 'Which month ends the year?', 'December is the last month of the year.'],
  ['What do trains run on?', 'What do trains travel on?', 'Trains run on rails.'],
  [
    'What does a library do?',
    'Why would I visit a library?',
    'A library lends books and gives you a quiet place to read.',
  ],
  [
    'Why do leaves fall in autumn?',
    'Why do trees drop their leaves?',
    'Trees drop their leaves in autumn to save water in the cold months.',
  ],
  ['What makes a rainbow?', 'How does a rainbow form?', 'Sunlight bent and split by raindrops makes a rainbow.'],
  ['At what temperature does water boil?', 'When does water boil?', 'Water boils at 100 degrees Celsius at sea level.'],
  [
    'How many planets go around the Sun?',
    'How many planets are in our solar system?',
    'Eight planets go around the Sun.',
  ],
  ['What is the opposite of up?', 'What word means the opposite of up?', 'The opposite of up is down.'],
  [
    'Which is bigger, a mouse or an elephant?',
    'Is an elephant bigger than a mouse?',
    'An elephant is much bigger than a mouse.',
  ],
  [
    'How do I read a clock?',
    'How do I tell the time?',
    'The short hand shows the hour and the long hand shows the minutes.',
  ],
  [
    'What should I take on a rainy day?',
    'What do I need when it rains?',
    'Take an umbrella, a raincoat and shoes that keep water out.',
  ],
  [
    'How can I fall asleep faster?',
    'Any tips for sleeping better?',
    'Keep a regular bedtime, dim the lights and put your phone away an hour before bed.',
  ],
  [
    'How do I stay focused while studying?',
    'How can I concentrate better?',
    'Work in short blocks, put your phone away and take a short break every half hour.',
  ],
  [
    'What is a good way to save money?',
    'How can I save a little money?',
    'Put aside a small amount every week and write down what you spend.',
  ],
  [
    'How far away is the Moon?',
    'What is the distance to the Moon?',
    'The Moon is about 384,000 kilometers from the Earth.',
  ],
];

const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const SUMMARIZE = [
  'Summarize this story in one sentence: ',
  'Can you summarize this? ',
  'Give me a one-line summary of this story. ',
];

const chat = (...turns: string[]): ChatMessages =>
  turns.map((content, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content }));

/** All generic chats (seeded: equal on every call). */
export function generalChats(): ChatMessages[] {
  const rng = new Prng(21);
  const out: ChatMessages[] = [];
  for (const [q, a] of GREETINGS) out.push(chat(q, a));
  for (const [q1, q2, a] of FACTS) out.push(chat(q1, a), chat(q2, a));
  for (let i = 0; i < 24; i++) {
    const x = rng.int(11);
    const y = rng.int(11);
    if (i % 2 === 0) out.push(chat(`What is ${x} plus ${y}?`, `${x} plus ${y} is ${x + y}.`));
    else
      out.push(
        chat(
          `What is ${NUMBER_WORDS[x]} times ${NUMBER_WORDS[y]}?`,
          `${cap(NUMBER_WORDS[x]!)} times ${NUMBER_WORDS[y]} is ${x * y}.`,
        ),
      );
  }
  for (let i = 0; i < 30; i++) {
    const s = story(rng);
    out.push(chat(pick(rng, SUMMARIZE) + s.text, s.summary));
  }
  for (const [q, a] of THANKS) out.push(chat(q, a));
  for (let i = 0; i < 20; i++) {
    const [hello, hi] = pick(rng, GREETINGS);
    const [q1, q2, a] = pick(rng, FACTS);
    const [thanks, welcome] = pick(rng, THANKS);
    out.push(chat(hello, hi, rng.int(2) === 0 ? q1 : q2, a, thanks, welcome));
  }
  return out;
}
