/**
 * The prompts sent to the LLM: the five offline rounds per prompt family
 * (tools/text/gpt4o/gpt4o_<dataset>.py; round 6 from skeletonagent/models/heads/agent.py), exactly
 * as the shipped conversation files store them with `{action}` standing for the class name, and the
 * round-6 follow-up (`Interaction.update_description`).
 *
 * The FineGYM templates of the original carry emphasis asterisks (around "most critical", the
 * "during the … element" phrase and "unique") that the offline writer strips from the files; their
 * exact placement is not recoverable, so the stored (asterisk-free) wording is sent.
 */
import type { PromptFamily } from './layouts.js';

/** Rounds 1–5 per family. */
export const DIALOGUE_TEMPLATES: Readonly<Record<PromptFamily, readonly string[]>> = {
  ntu: [
    "Describe the movement process of the human body performing the '{action}' action in a sentence.",
    "Describe the following body parts actions in short when '{action}': head, hand, arm, hip, leg, foot.\n" +
      "Strictly follow these rules:\n" +
      "1. Each body part must be listed separately in this exact order: Head, Hand, Arm, Hip, Leg, Foot\n" +
      "2. Format as \"[Body part]: [Description].\" with no dashes or numbers\n" +
      "3. Use exactly one line per body part with no blank lines\n" +
      "4. Never combine body parts (e.g., no \"Hand & Arm\")\n" +
      "5. Keep descriptions brief",
    "The human body can be further represented as 25 skeleton joints. \n" +
      "The labels of the joints are: 1-base of the spine, 2-middle of the spine, 3-neck, 4-head, 5-left shoulder, 6-left elbow, 7-left wrist, 8-left hand, 9-right shoulder, 10-right elbow, 11-right wrist, 12-right hand, 13-left hip, 14-left knee, 15-left ankle, 16-left foot, 17-right hip, 18-right knee, 19-right ankle, 20-right foot, 21-spine, 22-tip of the left hand, 23-left thumb, 24-tip of the right hand, and 25-right thumb. \n" +
      "Based on the movement process of the '{action}' action, please point out all joints that are critical for the recognition of this action, including both left and right sides where applicable. \n" +
      "Strictly follow these rules:\n" +
      "1. List only the numerical labels of critical joints\n" +
      "2. Separate labels with commas and single spaces\n" +
      "3. Order the numbers from smallest to largest\n" +
      "4. Put all numbers on one line with no line breaks\n" +
      "5. Do not include any other text or explanations",
    "For all the critical joints identified in the previous answer, describe their movement details in short.\n" +
      "Strictly follow these rules:\n" +
      "1. Use exact format: \"[label]-[joint name]: [description].\"\n" +
      "2. One joint per line, no blank lines\n" +
      "3. List in numerical order (1-25)\n" +
      "4. Exclude non-critical joints\n" +
      "5. If >10 critical joints, select 4-8 most important\n" +
      "6. Keep descriptions brief",
    "Based on the above information, please summarize the key features that recognize the '{action}' action in one sentence.\n" +
      "Strictly follow these rules:\n" +
      "1. No bullet points or dashes\n" +
      "2. No line breaks\n" +
      "3. No joint labels\n" +
      "4. Keep it concise\n" +
      "5. Start directly with the description",
  ],
  k400: [
    "Describe the movement process of the human body performing the '{action}' action in a sentence.\n" +
      "Strictly follow these rules:\n" +
      "1. No line breaks\n" +
      "2. Keep descriptions brief\n" +
      "3. Start directly with the description",
    "Describe the following body parts actions in short when '{action}': head, hand, arm, hip, leg, foot.\n" +
      "Strictly follow these rules:\n" +
      "1. Each body part must be listed separately in this exact order: Head, Hand, Arm, Hip, Leg, Foot\n" +
      "2. Format as \"[Body part]: [Description].\" with no dashes or numbers\n" +
      "3. Use exactly one line per body part with no blank lines\n" +
      "4. Never combine body parts (e.g., no \"Hand & Arm\")\n" +
      "5. Descriptions must be brief, specific, and focused on motion",
    "The human body can be further represented as 20 skeleton joints:\n" +
      "1-nose, 2-left eye, 3-right eye, 4-left ear, 5-right ear, 6-left shoulder, 7-right shoulder, 8-left elbow, 9-right elbow, 10-left wrist, 11-right wrist, 12-left hip, 13-right hip, 14-left knee, 15-right knee, 16-left ankle, 17-right ankle, 18-mid hip, 19-thorax, 20-mid shoulder.\n" +
      "Based on the movement process of the '{action}' action, please point out all joints that are critical for distinguishing this action from similar ones.\n" +
      "Strictly follow these rules:\n" +
      "1. List only the numerical labels of critical joints\n" +
      "2. Separate labels with commas and single spaces\n" +
      "3. Order the numbers from smallest to largest\n" +
      "4. Put all numbers on one line with no line breaks\n" +
      "5. Do not include any other text or explanations",
    "For all the critical joints listed above, describe their movement details in short.\n" +
      "Strictly follow these rules:\n" +
      "1. Use exact format: \"[label]-[joint name]: [description].\"\n" +
      "2. One joint per line, no blank lines\n" +
      "3. List joints in increasing numerical order\n" +
      "4. Exclude non-critical joints\n" +
      "5. If >10 critical joints, select 4-8 most important\n" +
      "6. Keep it brief but informative",
    "Based on the above information, please summarize how the '{action}' action can be recognized by key joint movements in one concise sentence.\n" +
      "Strictly follow these rules:\n" +
      "1. No lists, line breaks, or joint numbers\n" +
      "2. Focus on the overall motion signature\n" +
      "3. Start directly with the description without introduction phrases\n" +
      "4. Must clearly reflect what makes this action unique or subtle",
  ],
  finegym: [
    "Describe in full detail the movement of the human body during the '{action}' gymnastics element in one sentence.\n" +
      "Focus specifically on the timing, direction, amplitude, and transitions of body parts.\n" +
      "Highlight how the action unfolds from start to finish.\n" +
      "Strictly follow these rules:\n" +
      "1. No line breaks\n" +
      "2. Keep descriptions brief\n" +
      "3. Start directly with the description",
    "For the '{action}' gymnastics element, give a precise and brief description of how each of the following body parts moves: head, hand, arm, hip, leg, foot.\n" +
      "Focus on posture, timing, rotation, and symmetry.\n" +
      "Mention how the motion of each part helps distinguish this element from similar ones.\n" +
      "Strictly follow these rules:\n" +
      "1. Each body part must be listed separately in this exact order: Head, Hand, Arm, Hip, Leg, Foot\n" +
      "2. Format as \"[Body part]: [Description].\" with no dashes or numbers\n" +
      "3. Use exactly one line per body part with no blank lines\n" +
      "4. Never combine body parts (e.g., no \"Hand & Arm\")\n" +
      "5. Include directional terms (e.g., forward, upward), angles (e.g., bent at 90°), or timing cues (e.g., early lift, delayed landing)\n" +
      "6. Focus on what makes the motion unique in contrast to visually similar actions\n" +
      "7. Keep descriptions brief",
    "We represent the human body with 20 joints labeled:\n" +
      "1-nose, 2-left eye, 3-right eye, 4-left ear, 5-right ear, 6-left shoulder, 7-right shoulder, 8-left elbow, 9-right elbow, 10-left wrist, 11-right wrist, 12-left hip, 13-right hip, 14-left knee, 15-right knee, 16-left ankle, 17-right ankle, 18-mid hip, 19-thorax, 20-mid shoulder.\n" +
      "Based on the full-body motion of '{action}', list the joints that are most critical to distinguish this element from other similar elements in the same set.\n" +
      "Include both sides (left/right) when relevant.\n" +
      "Strictly follow these rules:\n" +
      "1. List only the numerical labels of critical joints\n" +
      "2. Separate labels with commas and single spaces\n" +
      "3. Order the numbers from smallest to largest\n" +
      "4. Put all numbers on one line with no line breaks\n" +
      "5. Do not include any other text or explanations",
    "Now describe the fine-grained motion or alignment of the critical joints listed above during the '{action}' gymnastics element.\n" +
      "Strictly follow these rules:\n" +
      "1. Use exact format: \"[label]-[joint name]: [description].\"\n" +
      "2. One line per joint, no blank lines\n" +
      "3. Order by joint number\n" +
      "4. Exclude non-critical joints\n" +
      "5. If >10 critical joints, select 4-8 most important joints for distinguishing this element\n" +
      "6. Include temporal cues (e.g., 'initiates early', 'holds position longer'), angular features (e.g., 'extends beyond 120°'), or asymmetries\n" +
      "7. Keep descriptions brief",
    "Based on the above information, please summarize how the '{action}' gymnastics element can be recognized and distinguished from similar elements in one concise sentence, focusing on coordination, timing, rotation, and posture.\n" +
      "Strictly follow these rules:\n" +
      "1. No joint numbers or bullet points or dashes\n" +
      "2. Use only one sentence, no line breaks\n" +
      "3. Begin immediately with the description (no \"The element is...\")\n" +
      "4. Emphasize what makes this element visually or structurally different from other similar elements in the same set\n" +
      "5. Keep it concise (<70 tokens)",
  ],
  uav: [
    "Describe the movement process of the human body performing the '{action}' action in a sentence.\n" +
      "Strictly follow these rules:\n" +
      "1. No lists, bullet points, or dashes\n" +
      "2. No line breaks\n" +
      "3. Keep descriptions brief\n" +
      "4. Start directly with the description",
    "Describe the following body parts actions in short when '{action}': head, hand, arm, hip, leg, foot.\n" +
      "Strictly follow these rules:\n" +
      "1. Each body part must be listed separately in this exact order: Head, Hand, Arm, Hip, Leg, Foot\n" +
      "2. Format as \"[Body part]: [Description].\" with no dashes or numbers\n" +
      "3. Use exactly one line per body part with no blank lines\n" +
      "4. Never combine body parts (e.g., no \"Hand & Arm\")\n" +
      "5. Keep descriptions brief",
    "The human body can be further represented as 17 skeleton joints.\n" +
      "The labels of the joints are: 1-nose, 2-right shoulder, 3-right elbow, 4-right wrist, 5-left shoulder, 6-left elbow, 7-left wrist, 8-right hip, 9-right knee, 10-right ankle, 11-left hip, 12-left knee, 13-left ankle, 14-right eye, 15-left eye, 16-right ear, 17-left ear.\n" +
      "Based on the movement process of the '{action}' action, please point out all joints that are critical for the recognition of this action, including both left and right sides where applicable. \n" +
      "Strictly follow these rules:\n" +
      "1. List only the numerical labels of critical joints\n" +
      "2. Separate labels with commas and single spaces\n" +
      "3. Order the numbers from smallest to largest\n" +
      "4. Put all numbers on one line with no line breaks\n" +
      "5. Do not include any other text or explanations",
    "For all the critical joints identified in the previous answer, describe their movement details in short.\n" +
      "Strictly follow these rules:\n" +
      "1. Use exact format: \"[label]-[joint name]: [description].\"\n" +
      "2. One joint per line, no blank lines\n" +
      "3. List in numerical order (1-17)\n" +
      "4. Exclude non-critical joints\n" +
      "5. If >10 critical joints, select 4-8 most important\n" +
      "6. Keep descriptions brief",
    "Based on the above information, please summarize the key features that recognize the '{action}' action in one sentence.\n" +
      "Strictly follow these rules:\n" +
      "1. No bullet points or dashes\n" +
      "2. No line breaks\n" +
      "3. No joint labels\n" +
      "4. Keep it concise\n" +
      "5. Start directly with the description",
  ],};

/**
 * Round 6 (`Interaction.update_description`, skeletonagent/models/heads/agent.py). Only the
 * structure of the original's wording is known here (two request lines, then five rules:
 * no bullets or dashes, one line, no joint numbers, under 70 tokens, start with the description);
 * this is a reconstruction in the style of the other rounds, not the original's literal text.
 */
export const FOLLOW_UP_TEMPLATE =
  "In skeleton-based action recognition, the '{action}' action needs to be distinguished from similar actions like {similar}.\n" +
  "Please summarize the distinctive motion characteristics of the '{action}' action in one sentence, highlighting its key distinguishing features.\n" +
  'Strictly follow these rules:\n' +
  '1. No bullet points or dashes\n' +
  '2. No line breaks\n' +
  '3. No joint labels\n' +
  '4. Keep it concise (<70 tokens)\n' +
  '5. Start directly with the description';

/** Fills `{action}` / `{similar}` in one pass, so a class name is never itself substituted into. */
function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(action|similar)\}/g, (placeholder, key: string) => values[key] ?? placeholder);
}

export function dialoguePrompt(family: PromptFamily, round: number, className: string): string {
  const template = DIALOGUE_TEMPLATES[family][round - 1];
  if (template === undefined) throw new Error(`no round ${round} prompt (rounds are 1..5)`);
  return fill(template, { action: className });
}

/** The similar-action string: each name in single quotes, joined by ", ", in the given order. */
export function followUpPrompt(className: string, similarClassNames: readonly string[]): string {
  return fill(FOLLOW_UP_TEMPLATE, { action: className, similar: similarClassNames.map((n) => `'${n}'`).join(', ') });
}
