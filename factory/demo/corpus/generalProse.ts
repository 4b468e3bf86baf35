// Simple general English for base-model pretraining, generated from templates and small word
// tables (original text written for loraledger): everyday life, weather, science basics and short
// stories. Domain vocabulary (skin, contracts, recipes, code) is kept out on purpose, so the
// adapters visibly add it.
import { Prng } from '../../../common/index.ts';
import { pick, shuffled } from './pick.ts';

interface Person {
  name: string;
  he: string;
}

const PEOPLE: readonly Person[] = (
  [
    ['Lily', 'she'],
    ['Tom', 'he'],
    ['Maya', 'she'],
    ['Sam', 'he'],
    ['Nora', 'she'],
    ['Ben', 'he'],
    ['Ava', 'she'],
    ['Leo', 'he'],
    ['Zoe', 'she'],
    ['Max', 'he'],
    ['Ruby', 'she'],
    ['Finn', 'he'],
    ['Ella', 'she'],
    ['Omar', 'he'],
    ['Iris', 'she'],
    ['Jack', 'he'],
  ] as const
).map(([name, he]) => ({ name, he }));

const TIMES = ['six', 'half past six', 'seven', 'a quarter past seven', 'eight'];
const BREAKFASTS = ['a bowl of oatmeal', 'toast with jam', 'an apple and some yogurt', 'a slice of bread with cheese'];
const COMMUTES = [
  'walks to school',
  'takes the bus to work',
  'rides a bike to the library',
  'drives to the office',
  'takes the train into town',
];
const ACTIVITIES = [
  'reads a book about trains',
  'helps a friend carry boxes',
  'writes a letter to a cousin',
  'plants seeds in the garden',
  'fixes a squeaky door',
  'paints a picture of the sea',
  'practices the piano',
  'cleans the windows',
  'visits the museum',
  'feeds the ducks at the pond',
];
const EVENINGS = [
  'has dinner with the family',
  'watches the stars from the porch',
  'plays a board game',
  'calls a grandparent',
  'takes a warm bath',
  'tidies the room',
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function everyday(rng: Prng): string {
  const p = pick(rng, PEOPLE);
  const he = p.he;
  const He = he === 'she' ? 'She' : 'He';
  switch (rng.int(3)) {
    case 0:
      return `${p.name} wakes up at ${pick(rng, TIMES)} every morning and eats ${pick(rng, BREAKFASTS)}. Then ${he} ${pick(rng, COMMUTES)}. Later, ${he} ${pick(rng, ACTIVITIES)}. In the evening, ${he} ${pick(rng, EVENINGS)} and goes to bed early.`;
    case 1:
      return `On ${pick(rng, DAYS)}, ${p.name} ${pick(rng, COMMUTES)}. It is a busy day, so ${he} ${pick(rng, ACTIVITIES)} at lunch time. When ${he} gets home, ${he} ${pick(rng, EVENINGS)}.`;
    default:
      return `Every weekend ${p.name} ${pick(rng, ACTIVITIES)}. ${He} says it makes the week feel calm. Afterwards, ${he} ${pick(rng, EVENINGS)}.`;
  }
}

const PLACES = ['the city', 'the valley', 'the village', 'the harbor town', 'the mountains', 'the north', 'the coast'];
const MORNINGS = ['cold and foggy', 'bright and sunny', 'cloudy and grey', 'windy and dry', 'wet with light rain'];
const LATER = [
  'the clouds will clear by noon',
  'heavy rain will arrive in the afternoon',
  'the wind will grow stronger after lunch',
  'it will stay warm until the evening',
  'snow may fall after dark',
  'a thunderstorm is likely before sunset',
];
const ADVICE = [
  'Take an umbrella if you go out.',
  'Wear a warm coat and a hat.',
  'It is a good day to dry laundry outside.',
  'Drive slowly on the wet roads.',
  'Drink water if you walk in the sun.',
  'Close the windows before you leave.',
];

function weather(rng: Prng): string {
  const place = pick(rng, PLACES);
  const degrees = 2 + rng.int(28);
  return rng.int(2) === 0
    ? `The weather in ${place} is ${pick(rng, MORNINGS)} this morning, at ${degrees} degrees. Later, ${pick(rng, LATER)}. ${pick(rng, ADVICE)}`
    : `Today in ${place} it is ${pick(rng, MORNINGS)}. Forecasters say ${pick(rng, LATER)}. ${pick(rng, ADVICE)}`;
}

const SCIENCE = [
  'Water boils at 100 degrees Celsius at sea level and freezes at 0 degrees.',
  'The Earth goes around the Sun once a year, in about 365 days.',
  'The Moon goes around the Earth about once a month.',
  'Plants use sunlight, water and carbon dioxide to make sugar and oxygen.',
  'Light travels much faster than sound, so we see lightning before we hear thunder.',
  'Sound is a wave that travels through air, water and solid things.',
  'A magnet pulls on iron and has a north pole and a south pole.',
  'Ice floats because it is less dense than liquid water.',
  'The heart pumps blood around the body, carrying oxygen to every part.',
  'Bees carry pollen from flower to flower, which helps plants make seeds.',
  'Gravity pulls objects toward the Earth, so a dropped ball falls to the ground.',
  'A rainbow appears when sunlight is bent and split by drops of rain.',
  'Clouds form when warm, wet air rises and cools into tiny droplets.',
  'The Sun is a star, and it is much closer to us than any other star.',
  'Copper carries electricity well, while rubber and glass do not.',
  'Seeds need water, warmth and air to sprout.',
  'Fish breathe with gills that take oxygen from the water.',
  'Wind, rain and ice wear mountains down slowly over millions of years.',
  'The oceans cover about seventy percent of the surface of the Earth.',
  'Mercury is the planet closest to the Sun, and Jupiter is the largest planet.',
  'Air is mostly nitrogen, with about one fifth oxygen.',
  'A thermometer measures temperature, and a barometer measures air pressure.',
  'A tree grows a new ring of wood each year, so counting the rings shows its age.',
  'Bats find insects in the dark by listening to the echoes of their own calls.',
  'The seasons change because the Earth is tilted as it goes around the Sun.',
  'Volcanoes form where hot melted rock rises through cracks in the ground.',
  'Bones give the body its shape, and muscles pull on them to make it move.',
  'Salt water freezes at a lower temperature than fresh water.',
  'Wind is air moving from places of high pressure to places of low pressure.',
  'A caterpillar turns into a butterfly inside a case called a chrysalis.',
];
const SCIENCE_OPENERS = [
  'Here are some facts about the world.',
  'Science helps us understand nature.',
  'Did you know?',
];

function science(rng: Prng): string {
  const facts = shuffled(rng, SCIENCE).slice(0, 2 + rng.int(2));
  return [pick(rng, SCIENCE_OPENERS), ...facts].join(' ');
}

/** [phrase, short form], or [problem, what the friends did]. */
type Pair = readonly [string, string];
const ANIMALS: readonly Pair[] = [
  ['a small rabbit', 'rabbit'],
  ['a curious fox', 'fox'],
  ['an old turtle', 'turtle'],
  ['a brave mouse', 'mouse'],
  ['a shy owl', 'owl'],
  ['a young bear', 'bear'],
  ['a clever crow', 'crow'],
  ['a quiet deer', 'deer'],
];
const HEROES = ['Pip', 'Rosie', 'Milo', 'Bramble', 'Juniper', 'Otis', 'Hazel', 'Clover'];
const HOMES = [
  'near a quiet river',
  'at the edge of a pine forest',
  'on a windy hill',
  'in a garden behind a red house',
  'beside a deep pond',
  'in a meadow full of daisies',
];
const FINDS = [
  'a shiny key',
  'a lost kite',
  'a tiny wooden boat',
  'a map drawn on a leaf',
  'a silver bell',
  'a basket of apples',
];
const FRIENDS: readonly Pair[] = [
  ['a kind goose named Tilly', 'Tilly'],
  ['a wise frog named Basil', 'Basil'],
  ['a fast squirrel named Dot', 'Dot'],
  ['a gentle horse named Duke', 'Duke'],
];
const TROUBLES: readonly Pair[] = [
  [
    'But the wind blew it into the tall grass, and it was hard to see.',
    'searched the grass together until they found it',
  ],
  ['But it belonged to someone who was sad to have lost it.', 'looked for the owner together and gave it back'],
  ['But dark clouds were coming, and home was far away.', 'hurried home together just before the rain'],
  ['But it was stuck high in the branches of an old tree.', 'climbed up together and brought it down'],
  ['But it was too heavy to carry alone.', 'carried it together, one step at a time'],
];
const ENDINGS = [
  'From then on, {name} always asked friends for help.',
  '{name} learned that patience pays off.',
  'Everyone agreed it was the best day of the summer.',
  'That night, {name} fell asleep smiling.',
];

/** A short story and its one-sentence summary (the summary is used by the "summarize" chats). */
export function story(rng: Prng): { text: string; summary: string } {
  const [animal, kind] = pick(rng, ANIMALS);
  const name = pick(rng, HEROES);
  const found = pick(rng, FINDS);
  const [friend, friendName] = pick(rng, FRIENDS);
  const [trouble, fix] = pick(rng, TROUBLES);
  const ending = pick(rng, ENDINGS).replaceAll('{name}', name);
  return {
    text: `Once upon a time, ${animal} named ${name} lived ${pick(rng, HOMES)}. One day, ${name} found ${found}. ${trouble} ${name} asked ${friend} for help, and they ${fix}. ${ending}`,
    summary: `${name} the ${kind} found ${found}, and with help from ${friendName} they ${fix}.`,
  };
}

/** Prose documents: 100 everyday, 60 weather, 40 science, 80 stories (each section seeded on its own). */
export function generalProse(): string[] {
  const sections: Array<[number, number, (rng: Prng) => string]> = [
    [100, 11, everyday],
    [60, 12, weather],
    [40, 13, science],
    [80, 14, (rng) => story(rng).text],
  ];
  const out: string[] = [];
  for (const [count, seed, make] of sections) {
    const rng = new Prng(seed);
    const seen = new Set<string>();
    // Draw until `count` distinct documents (the tables are large enough; the cap guards a bad edit).
    for (let tries = 0; seen.size < count && tries < count * 20; tries++) seen.add(make(rng));
    if (seen.size < count) throw new RangeError(`generalProse: only ${seen.size} distinct documents, wanted ${count}`);
    out.push(...seen);
  }
  return out;
}
