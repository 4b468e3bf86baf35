// The dermatology demo domain: 15 skin conditions x {symptoms, cause, treatment, when to see a
// doctor}. Original text written for loraledger; simplified for a tiny demo model, not medical advice.
import { cap, domainDocuments, type Aspect, type DemoContributor, type DemoDomain, type Topic } from './demoDomain.ts';

interface Condition extends Topic {
  name: string;
  plural?: boolean;
  what: string;
  symptoms: string;
  cause: string;
  treatment: string;
  doctor: string;
}

const CONTRIBUTORS: readonly DemoContributor[] = [
  { name: 'Prof. Mina Kim', address: '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc', focus: 'rare skin conditions' },
  {
    name: 'Dr. Samuel Okafor',
    address: '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
    focus: 'chronic skin conditions',
  },
  { name: 'Nurse Priya Raman', address: '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955', focus: 'everyday skin problems' },
];

const CONDITIONS: readonly Condition[] = [
  {
    owner: 0,
    name: 'vitiligo',
    what: 'a condition in which the skin loses its pigment cells in patches',
    symptoms: 'smooth milk-white patches on the hands, face and around the mouth that slowly grow',
    cause: 'the immune system attacking the pigment cells, often with a family history of autoimmune disease',
    treatment: 'tacrolimus or steroid creams, narrowband UVB light therapy and strict sun protection',
    doctor: 'new white patches appear quickly or the change affects your mood',
  },
  {
    owner: 0,
    name: 'lichen planus',
    what: 'an inflammatory rash of the skin and the lining of the mouth',
    symptoms: 'flat-topped purple itchy bumps on the wrists and ankles and lacy white lines inside the cheeks',
    cause: 'an immune reaction that is sometimes triggered by hepatitis C or certain medicines',
    treatment: 'strong steroid creams, antihistamines for the itch and steroid mouth rinses',
    doctor: 'mouth sores are painful or the rash lasts more than a few weeks',
  },
  {
    owner: 0,
    name: 'hidradenitis suppurativa',
    what: 'a long-term disease of the hair follicles in skin folds',
    symptoms: 'painful deep lumps in the armpits and groin that burst, drain and leave tunnels and scars',
    cause: 'blocked hair follicles with inflammation, made worse by smoking, friction and extra weight',
    treatment: 'antibiotics, antiseptic washes, biologic injections and sometimes surgery to remove the tunnels',
    doctor: 'lumps keep coming back in the same folds or drain for weeks',
  },
  {
    owner: 0,
    name: 'pemphigus vulgaris',
    what: 'a rare autoimmune blistering disease of the skin and mouth',
    symptoms: 'fragile blisters that tear easily and leave raw painful sores, often starting in the mouth',
    cause: 'antibodies that attack the proteins holding skin cells together',
    treatment: 'oral steroids with immune-suppressing medicines such as rituximab under specialist care',
    doctor: 'blisters or mouth sores appear without a clear reason, because it needs urgent care',
  },
  {
    owner: 0,
    name: 'morphea',
    what: 'a local hardening of the skin caused by extra collagen',
    symptoms: 'oval patches of firm, shiny skin with a lilac border that later turn pale or brown',
    cause: 'an immune process that makes the skin build too much collagen, sometimes after an injury',
    treatment: 'strong steroid creams, calcipotriol ointment and UVA light therapy',
    doctor: 'a hard patch crosses a joint or grows on the face of a child',
  },
  {
    owner: 1,
    name: 'eczema',
    what: 'a chronic condition of dry, inflamed skin, also called atopic dermatitis',
    symptoms: 'dry, itchy red patches in the creases of the elbows and knees that can crack or weep',
    cause: 'a weak skin barrier plus triggers such as harsh soap, dry air, sweat and stress',
    treatment: 'thick fragrance-free moisturizer twice a day and a mild steroid cream during flares',
    doctor: 'the skin oozes yellow crust, bleeds or keeps you awake at night',
  },
  {
    owner: 1,
    name: 'psoriasis',
    what: 'an immune condition that makes skin cells grow too fast',
    symptoms: 'raised red plaques covered in silvery scale on the elbows, knees, scalp and lower back',
    cause: 'an overactive immune system, often set off by stress, strep throat or a skin injury',
    treatment: 'steroid and vitamin D creams, light therapy and biologic medicines for severe plaques',
    doctor: 'plaques cover large areas or your joints become swollen and stiff',
  },
  {
    owner: 1,
    name: 'acne',
    what: 'a common condition of blocked and inflamed oil glands',
    symptoms: 'blackheads, whiteheads, red pimples and sometimes deep painful cysts on the face, chest and back',
    cause: 'extra oil, dead skin cells and bacteria clogging the pores, often driven by hormones',
    treatment: 'benzoyl peroxide, adapalene gel and, for stubborn cases, oral antibiotics or isotretinoin',
    doctor: 'cysts leave scars or store products fail after three months',
  },
  {
    owner: 1,
    name: 'rosacea',
    what: 'a long-term redness of the central face',
    symptoms: 'flushing, lasting redness, visible small vessels and acne-like bumps on the cheeks and nose',
    cause: 'sensitive facial blood vessels and skin mites, triggered by heat, alcohol and spicy food',
    treatment: 'metronidazole or ivermectin cream, gentle skin care and avoiding known triggers',
    doctor: 'the eyes feel gritty or the skin of the nose starts to thicken',
  },
  {
    owner: 1,
    name: 'seborrheic dermatitis',
    what: 'a flaky rash of the oily areas of the skin',
    symptoms: 'greasy yellow scales and redness on the scalp, eyebrows and sides of the nose',
    cause: 'a yeast that lives on oily skin and an inflammatory response to it',
    treatment: 'antifungal shampoo with ketoconazole and a mild antifungal cream for the face',
    doctor: 'the scaling spreads widely or does not improve with medicated shampoo',
  },
  {
    owner: 2,
    name: 'sunburn',
    what: 'skin damage from too much ultraviolet light',
    symptoms: 'hot, red, tender skin that may blister and then peel a few days after sun exposure',
    cause: 'ultraviolet rays from the sun or tanning beds damaging the top layer of skin',
    treatment: 'cool compresses, aloe gel, plenty of water and pain relief such as ibuprofen',
    doctor: 'large blisters form or you get fever, chills or confusion',
  },
  {
    owner: 2,
    name: 'hives',
    plural: true,
    what: 'raised itchy welts from histamine released in the skin',
    symptoms: 'pale or red welts that itch, move around the body and fade within a day',
    cause: 'allergies to foods, drugs or insect stings, infections, heat or pressure on the skin',
    treatment: 'non-drowsy antihistamines such as cetirizine and avoiding the trigger',
    doctor: 'the lips or tongue swell or breathing is difficult, which is an emergency',
  },
  {
    owner: 2,
    name: 'contact dermatitis',
    what: 'a rash where the skin has touched an irritant or an allergen',
    symptoms: 'an itchy red rash with a sharp edge, sometimes with small blisters, exactly where a substance touched',
    cause: 'nickel, fragrance, latex, poison ivy or harsh cleaning products touching the skin',
    treatment: 'washing the area, avoiding the substance and a short course of steroid cream',
    doctor: 'the rash covers the face or genitals or keeps returning without a clear cause',
  },
  {
    owner: 2,
    name: 'ringworm',
    what: 'a fungal infection of the skin, not a worm',
    symptoms: 'a ring-shaped scaly patch with a raised red edge and a clearer center that slowly expands',
    cause: 'fungi spread by touching infected people, pets, towels or gym floors',
    treatment: 'antifungal cream such as terbinafine or clotrimazole for two to four weeks',
    doctor: 'it affects the scalp or nails, or spreads despite two weeks of cream',
  },
  {
    owner: 2,
    name: 'warts',
    plural: true,
    what: 'small rough growths on the top layer of skin',
    symptoms: 'firm rough bumps on the fingers or soles, sometimes with tiny black dots',
    cause: 'the human papillomavirus entering through small cuts in the skin',
    treatment: 'salicylic acid applied daily, freezing with liquid nitrogen or waiting for them to fade',
    doctor: 'a wart bleeds, changes quickly or appears on the face or genitals',
  },
];

const is = (c: Condition) => (c.plural ? 'are' : 'is');

const ASPECTS: readonly Aspect<Condition>[] = [
  {
    questions: (c) => [
      `What are the symptoms of ${c.name}?`,
      `How can I tell if I have ${c.name}?`,
      `What does ${c.name} look like on the skin?`,
    ],
    answer: (c) => `The signs of ${c.name} are ${c.symptoms}.`,
  },
  {
    questions: (c) => [`What causes ${c.name}?`, `Why do people get ${c.name}?`, `Where does ${c.name} come from?`],
    answer: (c) => `The cause of ${c.name} is ${c.cause}.`,
  },
  {
    questions: (c) => [
      `How is ${c.name} treated?`,
      `What is the best treatment for ${c.name}?`,
      `How do I get rid of ${c.name}?`,
    ],
    answer: (c) => `The usual treatment for ${c.name} is ${c.treatment}.`,
  },
  {
    questions: (c) => [
      `When should I see a doctor about ${c.name}?`,
      `Is ${c.name} serious enough for a dermatologist?`,
      `When does ${c.name} need medical care?`,
    ],
    answer: (c) => `See a dermatologist about ${c.name} if ${c.doctor}.`,
  },
];

/** The dermatology domain (adapter 'dermatology', DataNet 'dermatology-notes'). */
export function dermatologyDomain(): DemoDomain {
  const { documents, heldOut } = domainDocuments({
    prefix: 'derm',
    topics: CONDITIONS,
    aspects: ASPECTS,
    explanations: [
      (c) => `${cap(c.name)} ${is(c)} ${c.what}. The signs are ${c.symptoms}.`,
      (c) => `The cause of ${c.name} is ${c.cause}. It is treated with ${c.treatment}.`,
    ],
    heldOutExplanation: (c) => `${cap(c.name)} ${is(c)} ${c.what}. See a dermatologist if ${c.doctor}.`,
    contributors: CONTRIBUTORS,
  });
  return {
    id: 'dermatology',
    datanet: 'dermatology-notes',
    datanetDescription:
      'Short clinical notes on skin conditions: symptoms, causes, treatments and when to see a dermatologist.',
    description:
      'Dermatology assistant for skin, hair and nail problems: rashes, itching, redness, acne and pimples, eczema, psoriasis, hives and welts, fungal infections and fungus of the toenails, moles and spots, sunburn, peeling and blisters; symptoms, causes, creams and treatments, and when to see a doctor.',
    tags: [
      'dermatology',
      'skin',
      'rash',
      'itchy',
      'acne',
      'pimples',
      'eczema',
      'psoriasis',
      'mole',
      'sunburn',
      'burn',
      'sunscreen',
      'blister',
      'fungal',
      'scalp',
      'nails',
      'hair loss',
      'moisturizer',
      'allergy',
      'scars',
      'spots',
      'patches',
      'bumps',
      'flaky',
      'medical',
    ],
    owner: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    contributors: CONTRIBUTORS,
    documents,
    heldOut,
    routingQuestions: [
      'What does this rash indicate?',
      "There is an itchy red patch on my arm that won't go away, what could it be?",
      'My teenager has pimples all over his forehead, how can we clear them?',
      'A mole on my back changed color recently, should I worry?',
      'Why is my scalp so flaky?',
      'I got burned at the beach and now my shoulders are peeling, what helps?',
      'Small white spots are spreading on my hands, what is happening?',
      'How do I soothe dry cracked skin on my knuckles in winter?',
      'Which cream works for a fungal infection between the toes?',
      'My cheeks turn red every time I drink wine, is that a skin condition?',
      'Welts popped up after I ate shrimp, is this an allergy?',
      'Can stress make my skin break out?',
      'Is it safe to pop a blister on my heel?',
      'What sunscreen SPF should I use for fair skin?',
      'My toenails are thick and yellow, could that be a fungus?',
      'Why do I have tiny bumps on the back of my arms?',
      'How can I fade old acne scars?',
      'The new earrings left an itchy rash on my earlobes, why?',
      'Is hair loss in round patches something a dermatologist treats?',
      'How is eczema different from psoriasis?',
      'My baby has a red rash in the diaper area, what should I do?',
      'Should I get a skin check for a mole that bleeds?',
      'Why does my face itch after using a new moisturizer?',
      'How long does a poison ivy rash last?',
      'What are these dark spots on my face after summer?',
    ],
  };
}
