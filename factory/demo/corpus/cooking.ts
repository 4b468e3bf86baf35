// The cooking demo domain: 15 dishes x {time and temperature, ingredients, method, common mistake}.
// Original text written for loraledger.
import { cap, domainDocuments, type Aspect, type DemoContributor, type DemoDomain, type Topic } from './demoDomain.ts';

interface Dish extends Topic {
  name: string;
  /** Full sentence: how long and how hot. */
  time: string;
  ingredients: string;
  /** Full sentence: the steps. */
  method: string;
  /** Gerund phrase: 'carving it straight from the oven'. */
  mistake: string;
  /** Imperative clause: 'rest it for 15 minutes'. */
  fix: string;
}

const CONTRIBUTORS: readonly DemoContributor[] = [
  { name: 'Chef Marco Bellini', address: '0x71bE63f3384f5fb98995898A86B02Fb2426c5788', focus: 'savory mains' },
  { name: 'Ada Oyelaran', address: '0xFABB0ac9d68B0B445fB7357272Ff202C5651694a', focus: 'baking' },
  { name: 'Tomás Reyes', address: '0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec', focus: 'quick home cooking' },
];

const DISHES: readonly Dish[] = [
  {
    owner: 0,
    name: 'roast chicken',
    time: 'Roast a whole chicken at 200°C for about 80 minutes, until the thickest part of the thigh reaches 74°C.',
    ingredients: 'a whole chicken, butter, lemon, garlic, thyme, salt and pepper',
    method: 'Rub the chicken with butter and salt, fill it with lemon and garlic, and roast it breast side up.',
    mistake: 'carving it straight from the oven',
    fix: 'rest it for 15 minutes so the juices settle',
  },
  {
    owner: 0,
    name: 'pan-seared steak',
    time: 'Sear a 2 cm steak in a very hot pan for about 3 minutes per side for medium-rare, 55°C inside.',
    ingredients: 'a thick steak, coarse salt, pepper, oil, butter, garlic and rosemary',
    method: 'Dry and salt the steak, sear it in smoking oil, then baste it with butter, garlic and rosemary.',
    mistake: 'putting a cold wet steak into a pan that is not hot enough',
    fix: 'pat it dry, let it warm for 30 minutes and heat the pan until the oil shimmers',
  },
  {
    owner: 0,
    name: 'baked salmon',
    time: 'Bake a salmon fillet at 200°C for 12 to 15 minutes, until it flakes and reaches 52°C inside.',
    ingredients: 'salmon fillets, olive oil, lemon, dill, salt and pepper',
    method: 'Lay the fillets skin side down on a tray, brush them with oil, season and bake.',
    mistake: 'baking it until it turns dry and chalky',
    fix: 'take it out while the center is still slightly glossy',
  },
  {
    owner: 0,
    name: 'mushroom risotto',
    time: 'Simmer risotto for about 18 minutes, adding hot stock one ladle at a time.',
    ingredients: 'arborio rice, mushrooms, onion, hot stock, white wine, butter and parmesan',
    method:
      'Toast the rice with onion, add wine, then stir in hot stock a ladle at a time and finish with butter and cheese.',
    mistake: 'adding all the stock at once',
    fix: 'add it a ladle at a time and stir so the rice turns creamy',
  },
  {
    owner: 0,
    name: 'tomato sauce',
    time: 'Simmer tomato sauce gently for 20 to 30 minutes over low heat.',
    ingredients: 'canned tomatoes, olive oil, onion, garlic, basil, salt and a pinch of sugar',
    method: 'Soften onion and garlic in olive oil, add the tomatoes, season and simmer until thick.',
    mistake: 'burning the garlic at the start',
    fix: 'cook it over medium heat for only a minute before the tomatoes go in',
  },
  {
    owner: 1,
    name: 'white sandwich bread',
    time: 'Let the dough rise for about an hour, then bake the loaf at 220°C for 30 minutes.',
    ingredients: '500 g bread flour, 7 g dried yeast, 10 g salt, 320 ml warm water and a spoon of oil',
    method: 'Mix, knead for 10 minutes until smooth, let it double, shape a loaf, rise again and bake.',
    mistake: 'using water that is too hot or yeast that is old, so the dough never rises',
    fix: 'use water at about body temperature and check the date on the yeast',
  },
  {
    owner: 1,
    name: 'chocolate chip cookies',
    time: 'Bake the cookies at 180°C for 10 to 12 minutes, until the edges are golden.',
    ingredients: 'butter, brown sugar, white sugar, an egg, vanilla, flour, baking soda, salt and chocolate chips',
    method: 'Cream the butter and sugars, beat in egg and vanilla, fold in flour and chips, then scoop onto a tray.',
    mistake: 'using melted butter and warm dough, so the cookies spread thin',
    fix: 'chill the dough for 30 minutes before baking',
  },
  {
    owner: 1,
    name: 'banana bread',
    time: 'Bake banana bread at 175°C for 55 to 65 minutes, until a skewer comes out clean.',
    ingredients: 'three ripe bananas, melted butter, sugar, an egg, flour, baking soda and a pinch of salt',
    method:
      'Mash the bananas, stir in butter, sugar and egg, then fold in the dry ingredients and pour into a loaf tin.',
    mistake: 'overmixing the batter after the flour goes in',
    fix: 'fold just until no dry flour shows',
  },
  {
    owner: 1,
    name: 'pizza dough',
    time: 'Let pizza dough rise for 2 hours, then bake the pizza at 250°C for 8 to 10 minutes.',
    ingredients: 'bread flour, water, dried yeast, salt and olive oil',
    method: 'Knead the dough until stretchy, let it rise, stretch it thin by hand, top it and bake on a hot tray.',
    mistake: 'rolling the dough with a rolling pin, which presses out the air',
    fix: 'stretch it with your fingertips from the center outward',
  },
  {
    owner: 1,
    name: 'sponge cake',
    time: 'Bake a sponge cake at 180°C for 25 minutes and do not open the oven for the first 20.',
    ingredients: 'four eggs, caster sugar, self-raising flour and melted butter',
    method: 'Whisk eggs and sugar until pale and thick, fold in the flour gently, add the butter and bake at once.',
    mistake: 'knocking the air out of the whisked eggs',
    fix: 'fold the flour in with a large spoon in a few slow strokes',
  },
  {
    owner: 2,
    name: 'white rice',
    time: 'Simmer white rice covered for 15 minutes, then let it stand off the heat for 10 minutes.',
    ingredients: 'long-grain rice, water in a ratio of one to one and a half, and a pinch of salt',
    method: 'Rinse the rice, bring it to a boil with the water, cover, turn the heat low and leave the lid on.',
    mistake: 'lifting the lid and stirring while it cooks',
    fix: 'keep the lid on so the steam cooks the grains evenly',
  },
  {
    owner: 2,
    name: 'hard-boiled eggs',
    time: 'Boil eggs for 10 minutes for firm yolks, or 7 minutes for jammy yolks.',
    ingredients: 'eggs, water and a bowl of ice water',
    method: 'Lower the eggs into boiling water, cook them, then move them straight into ice water.',
    mistake: 'leaving them in hot water, which gives a grey ring around the yolk',
    fix: 'cool them in ice water right after boiling',
  },
  {
    owner: 2,
    name: 'pancakes',
    time: 'Cook each pancake for about 2 minutes per side over medium heat.',
    ingredients: 'flour, milk, an egg, melted butter, sugar, baking powder and a pinch of salt',
    method:
      'Whisk the wet and dry ingredients separately, combine them briefly and pour small rounds into a buttered pan.',
    mistake: 'flipping too early or beating the batter smooth',
    fix: 'leave a few lumps and flip when bubbles pop on the surface',
  },
  {
    owner: 2,
    name: 'lentil soup',
    time: 'Simmer lentil soup for 25 to 30 minutes, until the lentils are soft.',
    ingredients: 'red lentils, onion, carrot, garlic, cumin, vegetable stock and lemon juice',
    method: 'Soften the onion, carrot and garlic, add cumin, lentils and stock, simmer and finish with lemon.',
    mistake: 'salting heavily at the start, before the stock reduces',
    fix: 'season at the end, after tasting',
  },
  {
    owner: 2,
    name: 'roasted vegetables',
    time: 'Roast vegetables at 220°C for 25 to 35 minutes, turning them once halfway.',
    ingredients: 'potatoes, carrots, peppers, red onion, olive oil, salt and herbs',
    method: 'Cut the vegetables into even pieces, toss them with oil and salt and spread them on a tray.',
    mistake: 'crowding the tray so the vegetables steam instead of browning',
    fix: 'use two trays and leave space between the pieces',
  },
];

const ASPECTS: readonly Aspect<Dish>[] = [
  {
    questions: (d) => [
      `How long do I cook ${d.name}?`,
      `What temperature and time should I use for ${d.name}?`,
      `How long does ${d.name} take?`,
    ],
    answer: (d) => d.time,
  },
  {
    questions: (d) => [
      `What ingredients do I need for ${d.name}?`,
      `What goes into ${d.name}?`,
      `What do I need to make ${d.name}?`,
    ],
    answer: (d) => `For ${d.name} you need ${d.ingredients}.`,
  },
  {
    questions: (d) => [
      `How do I make ${d.name}?`,
      `What is the method for ${d.name}?`,
      `What are the steps for ${d.name}?`,
    ],
    answer: (d) => d.method,
  },
  {
    questions: (d) => [
      `What is the most common mistake with ${d.name}?`,
      `What usually goes wrong with ${d.name}?`,
      `Any tips for better ${d.name}?`,
    ],
    answer: (d) => `The common mistake is ${d.mistake}; ${d.fix}.`,
  },
];

/** The cooking domain (adapter 'cooking', DataNet 'kitchen-recipes'). */
export function cookingDomain(): DemoDomain {
  const { documents, heldOut } = domainDocuments({
    prefix: 'cook',
    topics: DISHES,
    aspects: ASPECTS,
    explanations: [
      (d) => `${cap(d.name)} needs ${d.ingredients}. ${d.method}`,
      (d) => `${d.time} A common mistake with ${d.name} is ${d.mistake}.`,
    ],
    heldOutExplanation: (d) => `For ${d.name}, ${d.fix}. ${d.time}`,
    contributors: CONTRIBUTORS,
  });
  return {
    id: 'cooking',
    datanet: 'kitchen-recipes',
    datanetDescription:
      'Recipes and kitchen notes: cooking times and oven temperatures, ingredients, methods and common mistakes.',
    description:
      'Cooking assistant: recipes and ingredients, baking bread, cakes, cookies and pie, dough and yeast, roasting and carving meat, poultry and vegetables, searing fish and seafood, eggs and omelettes, frying, boiling and simmering, sauces, gravy and soups, oven temperatures and cooking times, substitutes and kitchen techniques.',
    tags: [
      'cooking',
      'recipe',
      'food',
      'baking',
      'bread',
      'dough',
      'yeast',
      'cake',
      'cookies',
      'pasta',
      'sauce',
      'soup',
      'oven',
      'roast',
      'fry',
      'boil',
      'eggs',
      'flour',
      'butter',
      'oil',
      'onion',
      'rice',
      'potatoes',
      'vegetables',
      'spices',
      'salad',
      'dinner',
      'kitchen',
      'crust',
      'muffins',
    ],
    owner: '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
    contributors: CONTRIBUTORS,
    documents,
    heldOut,
    routingQuestions: [
      "My bread didn't rise, what went wrong?",
      'How do I keep pasta from sticking together?',
      'What can I use instead of eggs in a cake?',
      'How do I know when the oil is hot enough for frying?',
      'My soup is too salty, how can I fix it?',
      'How long should a turkey rest before carving?',
      'What is the difference between baking soda and baking powder?',
      'How do I make a fluffy omelette?',
      'Why did my cookies spread flat on the tray?',
      'What spices go well with roasted carrots?',
      'How do I thicken a gravy without flour?',
      'Can I freeze leftover rice safely?',
      'How do I sear scallops without overcooking them?',
      'What is the best way to chop an onion without crying?',
      'How much yeast goes into a loaf?',
      'My sauce split, how do I bring it back?',
      'How do I cook quinoa on the stove?',
      'What oven temperature works for a pork roast?',
      'How do I make a simple vinaigrette for a salad?',
      'Why is my cake dense and heavy?',
      'How long do I boil potatoes for mashing?',
      'What is a good vegetarian dinner for four people?',
      'How do I caramelize onions properly?',
      'Can I swap butter for oil in muffins?',
      'How do I stop my pie crust from getting soggy?',
    ],
  };
}
